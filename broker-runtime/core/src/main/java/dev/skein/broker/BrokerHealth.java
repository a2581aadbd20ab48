package dev.skein.broker;

/**
 * A snapshot of what a broker needs to serve: read by health checks on any thread.
 *
 * @param zookeeperConnected the ZooKeeper session is connected (metadata is current and writes can succeed)
 * @param listenerAlive the Kafka listener is bound and its acceptor, network and I/O threads are running
 * @param shuttingDown {@link Broker#close()} has begun
 */
public record BrokerHealth(boolean zookeeperConnected, boolean listenerAlive, boolean shuttingDown) {
    /** Able to serve clients: connected to ZooKeeper, listening and not stopping. */
    public boolean ready() {
        return zookeeperConnected && listenerAlive && !shuttingDown;
    }
}
