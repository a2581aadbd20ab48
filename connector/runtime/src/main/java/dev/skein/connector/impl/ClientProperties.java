package dev.skein.connector.impl;

import dev.skein.connector.SkeinConnector;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.Config;

/** Channel attributes that are not the connector's own pass through to the Kafka client unchanged. */
final class ClientProperties {
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
            if (!NOT_FOR_THE_CLIENT.contains(name) && !name.startsWith("mp.") && !name.startsWith("quarkus.")) {
                config.getOptionalValue(name, String.class).ifPresent(value -> properties.put(name, value));
            }
        }
        return properties;
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
