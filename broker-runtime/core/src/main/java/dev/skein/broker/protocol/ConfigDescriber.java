package dev.skein.broker.protocol;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Renders effective configuration as DescribeConfigs reports it: each key's value, where it came from (topic
 * override, broker property, default) and the synonyms a value was resolved through.
 */
final class ConfigDescriber {
    record Synonym(String name, String value, ConfigSource source) {}

    record Entry(
            String name,
            String value,
            ConfigSource source,
            ConfigType type,
            String documentation,
            boolean readOnly,
            List<Synonym> synonyms) {}

    private final BrokerConfig broker;

    ConfigDescriber(BrokerConfig broker) {
        this.broker = broker;
    }

    /** Every topic-level key for a topic with {@code overrides}. */
    List<Entry> topic(Map<String, String> overrides) {
        LogConfig effective = broker.logConfig(overrides);
        List<Entry> entries = new ArrayList<>();
        for (ConfigDef.Key key : LogConfig.TOPIC_CONFIG.keys().values()) {
            String brokerKey = LogConfig.BROKER_DEFAULT_KEYS.get(key.name());
            List<Synonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(key.name())) {
                synonyms.add(new Synonym(key.name(), overrides.get(key.name()), ConfigSource.TOPIC_CONFIG));
            }
            for (String synonym : LogConfigs.brokerSynonyms(key.name())) {
                if (broker.isExplicit(synonym)) {
                    synonyms.add(new Synonym(synonym, broker.valueString(synonym), ConfigSource.STATIC_BROKER_CONFIG));
                }
            }
            synonyms.add(new Synonym(
                    brokerKey == null ? key.name() : brokerKey,
                    String.valueOf(key.defaultValue()),
                    ConfigSource.DEFAULT_CONFIG));
            entries.add(new Entry(
                    key.name(),
                    effective.valueString(key.name()),
                    synonyms.get(0).source(),
                    type(key.type()),
                    key.doc(),
                    false,
                    synonyms));
        }
        return entries;
    }

    /** Every broker key. Broker configuration is static: read-only at run time. */
    List<Entry> broker() {
        List<Entry> entries = new ArrayList<>();
        for (ConfigDef.Key key : BrokerConfig.BROKER_CONFIG.keys().values()) {
            ConfigSource source =
                    broker.isExplicit(key.name()) ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
            String value = broker.valueString(key.name());
            entries.add(new Entry(
                    key.name(),
                    "null".equals(value) ? null : value,
                    source,
                    type(key.type()),
                    key.doc(),
                    true,
                    List.of(new Synonym(key.name(), value, source))));
        }
        return entries;
    }

    private static ConfigType type(ConfigDef.Type type) {
        return switch (type) {
            case INT -> ConfigType.INT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case LIST -> ConfigType.LIST;
        };
    }
}
