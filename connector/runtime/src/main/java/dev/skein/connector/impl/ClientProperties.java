package dev.skein.connector.impl;

import dev.skein.connector.SkeinConnector;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel attributes that are not the connector's own pass through to the Kafka client unchanged; those that are not
 * Kafka client properties either are reported at start-up ({@link #warnUnknown}), since a misspelt or unsupported
 * attribute (e.g. one of smallrye-kafka's that Skein does not have) would otherwise change nothing, silently.
 */
final class ClientProperties {
    private static final Logger log = LoggerFactory.getLogger(ClientProperties.class);
    /** The framework's suffix on the copies of a channel with {@code concurrency=N}: {@code name$1}, {@code name$2}... */
    private static final Pattern CONCURRENCY_COPY = Pattern.compile("\\$\\d+$");

    private static final Set<String> NOT_FOR_THE_CLIENT = Stream.concat(
                    Arrays.stream(SkeinConnector.class.getAnnotationsByType(ConnectorAttribute.class))
                            .map(ConnectorAttribute::name),
                    Stream.of(
                            "connector",
                            "channel-name",
                            "merge",
                            "broadcast",
                            "tracing-enabled",
                            "concurrency",
                            "cloud-events",
                            "enabled"))
            .collect(Collectors.toUnmodifiableSet());

    private ClientProperties() {}

    static Map<String, Object> passThrough(Config config) {
        Map<String, Object> properties = new HashMap<>();
        for (String name : config.getPropertyNames()) {
            if (forTheClient(name)) {
                config.getOptionalValue(name, String.class).ifPresent(value -> properties.put(name, value));
            }
        }
        return properties;
    }

    private static boolean forTheClient(String name) {
        return !NOT_FOR_THE_CLIENT.contains(name) && !name.startsWith("mp.") && !name.startsWith("quarkus.");
    }

    /**
     * The attribute names of {@code config} that are neither the connector's (nor the framework's) nor one of
     * {@code clientNames} (e.g. {@code ConsumerConfig.configNames()}), sorted.
     */
    static Set<String> unknownNames(Config config, Set<String> clientNames) {
        Set<String> unknown = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            if (forTheClient(name) && !clientNames.contains(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }

    /** Logs one start-up warning naming the {@link #unknownNames} of the channel, if there are any. */
    static void warnUnknown(String channel, Config config, Set<String> clientNames, String clientKind) {
        Set<String> unknown = unknownNames(config, clientNames);
        if (!unknown.isEmpty()) {
            log.warn(
                    "Channel {}: {} {} neither a skein connector attribute nor a Kafka {} property; passed to the "
                            + "Kafka client unchanged (misspelt, or a smallrye-kafka attribute Skein does not support?)",
                    channel,
                    unknown,
                    unknown.size() == 1 ? "is" : "are",
                    clientKind);
        }
    }

    /**
     * The channel a framework copy belongs to: {@code name} for {@code name$3} (what {@code concurrency=N} creates),
     * {@code channel} itself otherwise. Copies share the base channel's default topic and consumer group.
     */
    static String baseChannel(String channel) {
        return CONCURRENCY_COPY.matcher(channel).replaceFirst("");
    }

    /** The subset of {@code properties} that also concerns a helper producer (connection and security). */
    static Map<String, Object> connectionOnly(Map<String, Object> properties) {
        Map<String, Object> result = new HashMap<>();
        properties.forEach((key, value) -> {
            if (key.startsWith("security.") || key.startsWith("ssl.") || key.startsWith("sasl.")) {
                result.put(key, value);
            }
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    static <T> T instantiate(String className, Class<T> type) {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> loaded =
                    Class.forName(className, true, loader == null ? ClientProperties.class.getClassLoader() : loader);
            return (T) type.cast(loaded.getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalArgumentException("Cannot instantiate " + type.getSimpleName() + " " + className, e);
        }
    }
}
