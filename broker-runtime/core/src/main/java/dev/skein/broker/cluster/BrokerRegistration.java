package dev.skein.broker.cluster;

import java.util.Objects;

/**
 * A live broker as advertised in its ephemeral {@code /brokers/ids/<id>} znode: one PLAINTEXT endpoint and an optional
 * rack.
 *
 * @param rack the {@code broker.rack}, or {@code null} when the broker declares none
 */
public record BrokerRegistration(int id, String host, int port, String rack) {
    public BrokerRegistration {
        if (id < 0) {
            throw new IllegalArgumentException("broker id must be >= 0, got " + id);
        }
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
    }
}
