package dev.skein.broker.log;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import dev.skein.broker.common.config.ConfigValues;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker keys of the log layer (Kafka's {@code ServerLogConfigs} and {@code CleanerConfig}): background task
 * periods, the cleaner, durability, and the broker-level defaults of every topic key ({@link LogConfig#BROKER_DEFAULT_KEYS},
 * e.g. {@code log.segment.bytes} for {@code segment.bytes}) with Kafka's coarser synonyms
 * ({@code log.retention.minutes}/{@code hours}, {@code log.roll.hours}). Declared once here.
 */
public final class LogConfigs {
    public static final String LOG_RETENTION_CHECK_INTERVAL_MS = "log.retention.check.interval.ms";
    public static final String LOG_FLUSH_SCHEDULER_INTERVAL_MS = "log.flush.scheduler.interval.ms";
    public static final String LOG_CLEANER_ENABLE = "log.cleaner.enable";
    public static final String LOG_CLEANER_BACKOFF_MS = "log.cleaner.backoff.ms";
    public static final String LOG_CLEANER_DEDUPE_BUFFER_SIZE = "log.cleaner.dedupe.buffer.size";
    public static final String DURABLE_ACK = "skein.durable.ack";
    public static final String STATE_COMMIT_INTERVAL_MS = "skein.state.commit.interval.ms";
    public static final String LOG_RETENTION_MS = "log.retention.ms";
    public static final String LOG_RETENTION_MINUTES = "log.retention.minutes";
    public static final String LOG_RETENTION_HOURS = "log.retention.hours";
    public static final String LOG_ROLL_MS = "log.roll.ms";
    public static final String LOG_ROLL_HOURS = "log.roll.hours";

    private LogConfigs() {}

    /** Declares the log layer's broker keys in {@code def}; topic-default keys already in it are left alone. */
    public static void define(ConfigDef def) {
        def.define(LOG_RETENTION_CHECK_INTERVAL_MS, Type.LONG, 300_000L, 1, "Period of the retention check")
                .define(LOG_FLUSH_SCHEDULER_INTERVAL_MS, Type.LONG, 1000L, 1, "Period of the flush.ms check")
                .define(LOG_CLEANER_ENABLE, Type.BOOLEAN, true, "Run log compaction for compacted topics")
                .define(
                        LOG_CLEANER_BACKOFF_MS,
                        Type.LONG,
                        LogCleaner.Settings.DEFAULT_BACKOFF_MS,
                        1,
                        "Sleep of the log cleaner when no log needs cleaning")
                .define(
                        LOG_CLEANER_DEDUPE_BUFFER_SIZE,
                        Type.LONG,
                        LogCleaner.Settings.DEFAULT_DEDUPE_BUFFER_BYTES,
                        1024 * 1024,
                        "Memory for the log cleaner's key-to-offset map")
                .define(DURABLE_ACK, Type.BOOLEAN, false, "Acknowledge produce only after an fdatasync covering it")
                .define(STATE_COMMIT_INTERVAL_MS, Type.LONG, 1000L, 1, "Period of the broker-state store commit");
        for (Map.Entry<String, String> e : LogConfig.BROKER_DEFAULT_KEYS.entrySet()) {
            ConfigDef.Key topicKey = LogConfig.TOPIC_CONFIG.keys().get(e.getKey());
            if (!def.contains(e.getValue())) {
                def.define(
                        e.getValue(),
                        topicKey.type(),
                        topicKey.defaultValue(),
                        topicKey.min(),
                        topicKey.allowed(),
                        topicKey.doc());
            }
        }
        def.define(LOG_RETENTION_MINUTES, Type.LONG, null, -1, "Retention in minutes, if log.retention.ms unset");
        def.define(LOG_RETENTION_HOURS, Type.LONG, null, -1, "Retention in hours, if the others are unset");
        def.define(LOG_ROLL_HOURS, Type.LONG, null, 1, "Segment age in hours, if log.roll.ms unset");
    }

    /**
     * Topic key to the broker's default for it, for {@link LogConfig#of(Map, Map)}; validated as a combination.
     *
     * @throws dev.skein.broker.common.config.ConfigException naming a bad key
     */
    public static Map<String, String> topicDefaults(ConfigValues values) {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : LogConfig.BROKER_DEFAULT_KEYS.entrySet()) {
            defaults.put(e.getKey(), values.valueString(e.getValue()));
        }
        if (!values.isExplicit(LOG_RETENTION_MS)) {
            Long minutes = values.getLong(LOG_RETENTION_MINUTES);
            Long hours = values.getLong(LOG_RETENTION_HOURS);
            if (minutes != null) {
                defaults.put(LogConfig.RETENTION_MS, Long.toString(minutes < 0 ? -1 : minutes * 60_000));
            } else if (hours != null) {
                defaults.put(LogConfig.RETENTION_MS, Long.toString(hours < 0 ? -1 : hours * 3_600_000));
            }
        }
        Long rollHours = values.getLong(LOG_ROLL_HOURS);
        if (!values.isExplicit(LOG_ROLL_MS) && rollHours != null) {
            defaults.put(LogConfig.SEGMENT_MS, Long.toString(rollHours * 3_600_000));
        }
        LogConfig.of(defaults, Map.of()); // validates the combination
        return Map.copyOf(defaults);
    }

    /**
     * The broker keys that can set a topic key's default, in order of precedence (Kafka's synonyms), e.g.
     * {@code log.retention.ms}, {@code log.retention.minutes}, {@code log.retention.hours} for {@code retention.ms}.
     */
    public static List<String> brokerSynonyms(String topicKey) {
        String primary = LogConfig.BROKER_DEFAULT_KEYS.get(topicKey);
        if (primary == null) {
            return List.of();
        }
        return switch (topicKey) {
            case LogConfig.RETENTION_MS -> List.of(primary, LOG_RETENTION_MINUTES, LOG_RETENTION_HOURS);
            case LogConfig.SEGMENT_MS -> List.of(primary, LOG_ROLL_HOURS);
            default -> List.of(primary);
        };
    }

    /** {@code log.cleaner.*}: whether and how the background log compaction runs. */
    public static LogCleaner.Settings cleanerSettings(ConfigValues values) {
        return new LogCleaner.Settings(
                values.getBoolean(LOG_CLEANER_ENABLE),
                values.getLong(LOG_CLEANER_BACKOFF_MS),
                values.getLong(LOG_CLEANER_DEDUPE_BUFFER_SIZE));
    }
}
