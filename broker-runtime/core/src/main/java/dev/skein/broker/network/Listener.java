package dev.skein.broker.network;

import dev.skein.broker.common.config.ConfigException;
import java.util.Set;

/**
 * One listener of the Kafka protocol, parsed from {@code PROTOCOL://host:port} ({@code listeners},
 * {@code advertised.listeners}). An empty host means all interfaces; port 0 picks a free one. Only {@code PLAINTEXT}
 * is supported today; listener names and the other security protocols come with the security work.
 */
public record Listener(String securityProtocol, String host, int port) {
    private static final Set<String> SUPPORTED_PROTOCOLS = Set.of("PLAINTEXT");

    /**
     * Parses a listener given under {@code key}.
     *
     * @throws ConfigException naming the key and the expected form
     */
    public static Listener parse(String key, String text) {
        int scheme = text.indexOf("://");
        int colon = text.lastIndexOf(':');
        if (scheme < 0 || colon <= scheme + 2) {
            throw new ConfigException(key, text, "expected PROTOCOL://host:port, e.g. PLAINTEXT://:9092");
        }
        String protocol = text.substring(0, scheme);
        if (!SUPPORTED_PROTOCOLS.contains(protocol)) {
            throw new ConfigException(key, text, "supported security protocols are [PLAINTEXT]");
        }
        String host = text.substring(scheme + 3, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text, "the port must be a number from 0 to 65535");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, text, "the port must be a number from 0 to 65535");
        }
        return new Listener(protocol, host, port);
    }
}
