package dev.skein.broker.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A table of configuration keys, each declared once with its type, default and allowed values. Parsing a map of
 * strings against it yields typed values or a {@link ConfigException} naming the offending key.
 */
public final class ConfigDef {
    /** The types a key can have. */
    public enum Type {
        INT,
        LONG,
        DOUBLE,
        BOOLEAN,
        STRING,
        LIST
    }

    /** One declared key. {@code min} applies to numbers; {@code allowed} (if non-empty) to strings and lists. */
    public record Key(String name, Type type, Object defaultValue, double min, Set<String> allowed, String doc) {}

    private final Map<String, Key> keys = new LinkedHashMap<>();

    public ConfigDef define(String name, Type type, Object defaultValue, String doc) {
        return define(name, type, defaultValue, Double.NEGATIVE_INFINITY, Set.of(), doc);
    }

    public ConfigDef define(String name, Type type, Object defaultValue, double min, String doc) {
        return define(name, type, defaultValue, min, Set.of(), doc);
    }

    public ConfigDef define(String name, Type type, Object defaultValue, double min, Set<String> allowed, String doc) {
        keys.put(name, new Key(name, type, defaultValue, min, allowed, doc));
        return this;
    }

    public Map<String, Key> keys() {
        return Collections.unmodifiableMap(keys);
    }

    public boolean contains(String name) {
        return keys.containsKey(name);
    }

    /** Parses the declared keys present in {@code raw}; unknown keys are ignored. Missing keys get their default. */
    public Map<String, Object> parse(Map<String, String> raw) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (Key key : keys.values()) {
            String text = raw.get(key.name());
            values.put(key.name(), text == null ? key.defaultValue() : parseValue(key, text.trim()));
        }
        return values;
    }

    /** Parses one value for a declared key, throwing {@link ConfigException} if it is unknown or invalid. */
    public Object parseValue(String name, String text) {
        Key key = keys.get(name);
        if (key == null) {
            throw new ConfigException(name, text, "unknown configuration key");
        }
        return parseValue(key, text.trim());
    }

    private static Object parseValue(Key key, String text) {
        Object value;
        try {
            value = switch (key.type()) {
                case INT -> Integer.parseInt(text);
                case LONG -> Long.parseLong(text);
                case DOUBLE -> Double.parseDouble(text);
                case BOOLEAN -> parseBoolean(key, text);
                case STRING -> text;
                case LIST -> text;
            };
        } catch (NumberFormatException e) {
            throw new ConfigException(key.name(), text, "expected a value of type " + key.type());
        }
        if (value instanceof Number n && n.doubleValue() < key.min()) {
            throw new ConfigException(key.name(), text, "must be at least " + formatMin(key.min()));
        }
        if (!key.allowed().isEmpty()) {
            for (String part : key.type() == Type.LIST ? text.split(",") : new String[] {text}) {
                if (!key.allowed().contains(part.trim().toLowerCase(Locale.ROOT))) {
                    throw new ConfigException(key.name(), text, "allowed values are " + key.allowed());
                }
            }
        }
        return value;
    }

    private static Boolean parseBoolean(Key key, String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new ConfigException(key.name(), text, "expected true or false");
    }

    private static String formatMin(double min) {
        return min == Math.rint(min) ? Long.toString((long) min) : Double.toString(min);
    }
}
