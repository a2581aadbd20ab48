package dev.skein.server;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Renders the broker and topic key tables of {@code docs/configuration.md} from the key definitions
 * ({@link BrokerConfig#BROKER_CONFIG}, {@link LogConfig#TOPIC_CONFIG}), so the reference cannot drift from the code.
 * The generated text sits between {@link #BEGIN} and {@link #END} in the document; the prose around it is kept.
 */
public final class ConfigReference {
    public static final String BEGIN = "<!-- BEGIN GENERATED: ConfigReference -->";
    public static final String END = "<!-- END GENERATED: ConfigReference -->";

    private ConfigReference() {}

    /** The generated section, markers included. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append(BEGIN).append("\n\n");
        out.append("### Broker keys\n\n");
        table(out, BrokerConfig.BROKER_CONFIG);
        out.append("\n### Topic keys\n\n");
        out.append("Set per topic (`kafka-configs --alter --entity-type topics`, `CreateTopics` configs); ")
                .append("the broker default comes from the broker key in the last column.\n\n");
        topicTable(out);
        out.append('\n').append(END);
        return out.toString();
    }

    /** {@code document} with its generated section replaced by {@link #markdown()}. */
    public static String regenerate(String document) {
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("document lacks the markers " + BEGIN + " ... " + END);
        }
        return document.substring(0, begin) + markdown() + document.substring(end + END.length());
    }

    /** Rewrites the generated section of the given file (default {@code docs/configuration.md}) in place. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : "docs/configuration.md");
        String document = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, regenerate(document), StandardCharsets.UTF_8);
    }

    private static void table(StringBuilder out, ConfigDef def) {
        out.append("| key | type | default | valid values | description |\n");
        out.append("|---|---|---|---|---|\n");
        for (String name : new TreeSet<>(def.keys().keySet())) {
            row(out, name, def.keys().get(name)).append(" |\n");
        }
    }

    /** The cells every table shares: key, type, default, valid values, description (the row left open). */
    private static StringBuilder row(StringBuilder out, String name, ConfigDef.Key key) {
        return out.append("| `")
                .append(name)
                .append("` | ")
                .append(key.type().name().toLowerCase(Locale.ROOT))
                .append(" | ")
                .append(defaultText(key))
                .append(" | ")
                .append(validText(key))
                .append(" | ")
                .append(key.doc());
    }

    private static void topicTable(StringBuilder out) {
        out.append("| key | type | default | valid values | description | broker default key |\n");
        out.append("|---|---|---|---|---|---|\n");
        ConfigDef def = LogConfig.TOPIC_CONFIG;
        for (String name : new TreeSet<>(def.keys().keySet())) {
            String brokerKey = LogConfig.BROKER_DEFAULT_KEYS.get(name);
            row(out, name, def.keys().get(name))
                    .append(" | ")
                    .append(brokerKey == null ? "" : "`" + brokerKey + "`")
                    .append(" |\n");
        }
    }

    private static String defaultText(ConfigDef.Key key) {
        Object value = key.defaultValue();
        if (value == null) {
            return "(none)";
        }
        if (value instanceof String s && s.isEmpty()) {
            return "\"\"";
        }
        return "`" + value + "`";
    }

    private static String validText(ConfigDef.Key key) {
        if (!key.allowed().isEmpty()) {
            return String.join(", ", new TreeSet<>(key.allowed()));
        }
        if (key.min() != Double.NEGATIVE_INFINITY) {
            double min = key.min();
            return "≥ " + (min == Math.rint(min) ? Long.toString((long) min) : Double.toString(min));
        }
        return "";
    }
}
