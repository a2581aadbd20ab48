package dev.skein.connector.commit;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;

/**
 * Decides when the acknowledged position of each partition is committed. The consumer loop asks on every iteration;
 * revocation and shutdown commit synchronously whenever {@link #commitsOnRevokeAndShutdown()} holds. Implementations
 * are called on the polling thread only.
 */
public interface CommitStrategy {
    /** Whether acknowledged positions should be committed now. */
    boolean due(long nowMs);

    /** Called after a commit was issued at {@code nowMs}. */
    default void committed(long nowMs) {}

    /** Whether this strategy commits at all (revocation, shutdown). */
    default boolean commitsOnRevokeAndShutdown() {
        return true;
    }

    /** A record unacknowledged for longer than this many ms turns liveness DOWN; 0 disables the check. */
    default long unprocessedRecordMaxAgeMs() {
        return 0;
    }

    /**
     * Creates the commit strategy of one consumer of an incoming channel (called once per consumer). The connector
     * looks the factory up through CDI by the {@code commit-strategy} attribute: a bean implementing this interface
     * and annotated {@code @Identifier("name")} is chosen by {@code commit-strategy=name}. The built-ins ({@code
     * throttled}, {@code latest}, {@code ignore}) are such beans ({@link BuiltInCommitStrategies}); an application adds
     * its own the same way.
     */
    interface Factory {
        CommitStrategy create(SkeinConnectorIncomingConfiguration config);
    }

    /**
     * Resolves a built-in {@code commit-strategy} without CDI.
     *
     * @throws IllegalArgumentException naming the attribute and the allowed values
     */
    static CommitStrategy named(String name, String channel, long intervalMs, long maxAgeMs) {
        return switch (name) {
            case "latest" -> nowMs -> true;
            case "throttled" -> new ThrottledCommitStrategy(intervalMs, maxAgeMs);
            case "ignore" -> new IgnoreCommitStrategy();
            default -> throw new IllegalArgumentException(
                    "Channel " + channel + ": commit-strategy=" + name + " is not one of throttled, latest, ignore");
        };
    }
}
