package dev.skein.operator.cluster;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Decides how many brokers the StatefulSet may have. Growing, or keeping the size, is always allowed. Shrinking from
 * {@code current} to {@code requested} removes the brokers with ids {@code requested..current-1} (a StatefulSet
 * removes the highest ordinals, and the ordinal is the broker id); it is allowed only when no partition has a replica
 * on one of them. Pure apart from the one {@link ReplicaPlacements} question, asked only for a shrink.
 */
public final class ScaleDownGuard {
    /** How many blocking partitions the message names. */
    static final int NAMED_PARTITIONS = 5;

    private final ReplicaPlacements placements;

    public ScaleDownGuard(ReplicaPlacements placements) {
        this.placements = placements;
    }

    /** The outcome: the StatefulSet size to apply and, when a shrink is refused, why. */
    public sealed interface Decision {
        int replicas();
    }

    /** Apply {@code replicas}. */
    public record Proceed(int replicas) implements Decision {}

    /** Keep {@code replicas} (the current size): {@code partitions} still have replicas on leaving brokers. */
    public record Blocked(int replicas, List<String> partitions, String message) implements Decision {}

    /** Keep {@code replicas}: the brokers could not be asked. */
    public record Unreachable(int replicas, String message) implements Decision {}

    /**
     * The decision for a StatefulSet currently sized {@code current} (null when it does not exist yet) and a spec
     * asking for {@code requested} brokers.
     *
     * @throws InterruptedException if interrupted while asking the brokers
     */
    public Decision decide(Integer current, int requested, String bootstrapServers) throws InterruptedException {
        if (current == null || requested >= current) {
            return new Proceed(requested);
        }
        try {
            return decide(current, requested, placements.read(bootstrapServers));
        } catch (ReplicaPlacements.BrokersUnreachableException e) {
            return new Unreachable(
                    current, "scale-down from " + current + " to " + requested + " brokers refused: " + e.getMessage());
        }
    }

    /** The decision given the replica placement; pure. */
    public static Decision decide(int current, int requested, Map<String, List<Integer>> placement) {
        if (requested >= current) {
            return new Proceed(requested);
        }
        List<String> blocking = placement.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(id -> id >= requested))
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
        if (blocking.isEmpty()) {
            return new Proceed(requested);
        }
        String named = blocking.stream().limit(NAMED_PARTITIONS).collect(Collectors.joining(", "));
        String more =
                blocking.size() > NAMED_PARTITIONS ? " and " + (blocking.size() - NAMED_PARTITIONS) + " more" : "";
        String message = "scale-down from " + current + " to " + requested + " brokers refused: "
                + blocking.size() + " partition(s) still have replicas on broker id(s) " + requested + ".."
                + (current - 1) + " (" + named + more + "); reassign them first";
        return new Blocked(current, blocking, message);
    }
}
