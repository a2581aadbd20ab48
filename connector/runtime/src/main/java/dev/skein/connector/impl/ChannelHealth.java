package dev.skein.connector.impl;

/**
 * Health of one client of a channel, written by the thread that owns the client and read by health checks on any
 * thread. Readiness: the client currently holds a broker connection. Liveness: the client has not died and (with
 * {@code throttled}) no record has waited for its acknowledgement longer than allowed.
 */
final class ChannelHealth {
    private volatile boolean connected;
    private volatile String failure;
    private volatile String stale;

    void connected(boolean value) {
        connected = value;
    }

    void failed(Throwable cause) {
        failure = String.valueOf(cause);
    }

    void stale(String reason) {
        stale = reason;
    }

    boolean ready() {
        return connected && failure == null;
    }

    boolean alive() {
        return failure == null && stale == null;
    }

    /** Why the client is not ready/alive, or {@code null}. */
    String problem() {
        if (failure != null) {
            return failure;
        }
        if (stale != null) {
            return stale;
        }
        return connected ? null : "no connection to the broker";
    }
}
