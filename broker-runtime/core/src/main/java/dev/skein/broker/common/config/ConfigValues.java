package dev.skein.broker.common.config;

import java.util.Map;
import java.util.Set;

/**
 * Values parsed by a {@link ConfigDef} (each of its key's declared type, or its default), plus which keys were given
 * explicitly. Subsystem config classes read their own keys from it with the typed getters (Kafka's
 * {@code AbstractConfig}); the rest of the broker sees their typed results, never a key lookup. Immutable.
 */
public final class ConfigValues {
    private final Map<String, Object> values;
    private final Set<String> explicitKeys;

    /** Parses {@code props} against {@code def}, failing with a {@link ConfigException} naming a bad key. */
    public static ConfigValues parse(ConfigDef def, Map<String, String> props) {
        return new ConfigValues(def.parse(props), Set.copyOf(props.keySet()));
    }

    private ConfigValues(Map<String, Object> values, Set<String> explicitKeys) {
        this.values = values;
        this.explicitKeys = explicitKeys;
    }

    /** An INT key's value. */
    public int getInt(String key) {
        return (Integer) values.get(key);
    }

    /** A LONG key's value, or null for a key declared without a default and not given. */
    public Long getLong(String key) {
        return (Long) values.get(key);
    }

    /** A BOOLEAN key's value. */
    public boolean getBoolean(String key) {
        return (Boolean) values.get(key);
    }

    /** A STRING or LIST key's value, as given. */
    public String getString(String key) {
        return (String) values.get(key);
    }

    /** Whether {@code key} was given rather than left at its default. */
    public boolean isExplicit(String key) {
        return explicitKeys.contains(key);
    }

    /** The value of a key rendered as text, as DescribeConfigs shows it ({@code "null"} when it has none). */
    public String valueString(String key) {
        return String.valueOf(values.get(key));
    }
}
