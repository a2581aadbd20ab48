package dev.skein.broker.network;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kafka's {@code max.connections} and {@code max.connections.per.ip}: counts open connections in total and per client
 * address. The acceptor calls {@link #tryAcquire} for each new socket and closes it when refused; the network thread
 * that closes a connection calls {@link #release} exactly once for it. Thread-safe.
 */
final class ConnectionQuotas {
    private final int maxConnections;
    private final int maxPerIp;
    private final ConcurrentHashMap<InetAddress, Integer> perIp = new ConcurrentHashMap<>();
    private int total;

    ConnectionQuotas(int maxConnections, int maxPerIp) {
        this.maxConnections = maxConnections;
        this.maxPerIp = maxPerIp;
    }

    /** Counts a new connection from {@code address}; returns false (counting nothing) if a limit would be exceeded. */
    synchronized boolean tryAcquire(InetAddress address) {
        if (total >= maxConnections) {
            return false;
        }
        int fromAddress = perIp.getOrDefault(address, 0);
        if (fromAddress >= maxPerIp) {
            return false;
        }
        perIp.put(address, fromAddress + 1);
        total++;
        return true;
    }

    synchronized void release(InetAddress address) {
        total--;
        perIp.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Open connections counted now. */
    synchronized int count() {
        return total;
    }
}
