package dev.skein.broker.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's decision for one partition: given its current state and which brokers may lead, the leader and
 * ISR it should have. A pure function, so the controller's behaviour is testable without ZooKeeper.
 *
 * <p>Rules, in order: a broker that is not live or is shutting down leaves the ISR (unless it is the last member: the
 * ISR then keeps naming the replicas that have every acknowledged record, so one of them can come back as leader);
 * a leader that may keep leading keeps leading, unless a preferred-leader move was asked for and the preferred
 * (first assigned) replica is in the ISR; otherwise the first assigned replica that is in the live ISR leads; with none,
 * an unclean election (if allowed) picks the first live replica and resets the ISR to it; otherwise the partition is
 * offline (leader -1). Every change of leader increments the leader epoch.
 */
final class LeaderElection {
    /** The outcome; {@code unclean} says that acknowledged records may have been lost. */
    record Decision(int leader, int leaderEpoch, List<Integer> isr, boolean unclean) {}

    private LeaderElection() {}

    /**
     * @param eligible brokers that are live and not shutting down
     * @param live brokers that are live (a shutting-down leader with nobody to hand over to keeps leading)
     * @return the new leader and ISR, or empty when the partition's state is already right
     */
    static Optional<Decision> decide(
            PartitionState state, Set<Integer> eligible, Set<Integer> live, boolean uncleanAllowed, boolean preferred) {
        List<Integer> eligibleIsr = new ArrayList<>();
        for (int replica : state.isr()) {
            if (eligible.contains(replica)) {
                eligibleIsr.add(replica);
            }
        }
        int leader = state.leader();
        List<Integer> isr = eligibleIsr.isEmpty() ? state.isr() : eligibleIsr;
        boolean unclean = false;
        if (eligibleIsr.contains(leader)) {
            int preferredReplica = state.replicas().get(0);
            if (preferred && preferredReplica != leader && eligibleIsr.contains(preferredReplica)) {
                leader = preferredReplica;
            }
        } else if (!eligibleIsr.isEmpty()) {
            leader = firstAssignedIn(state.replicas(), eligibleIsr);
        } else if (live.contains(leader) && state.isr().contains(leader)) {
            // Shutting down with nobody in sync to take over: keep leading rather than go offline.
            isr = state.isr();
        } else {
            Optional<Integer> anyLive = uncleanAllowed
                    ? state.replicas().stream().filter(eligible::contains).findFirst()
                    : Optional.empty();
            if (anyLive.isPresent()) {
                leader = anyLive.get();
                isr = List.of(leader);
                unclean = true;
            } else {
                leader = -1;
            }
        }
        if (leader == state.leader() && isr.equals(state.isr())) {
            return Optional.empty();
        }
        int epoch = leader == state.leader() ? state.leaderEpoch() : state.leaderEpoch() + 1;
        return Optional.of(new Decision(leader, epoch, List.copyOf(isr), unclean));
    }

    private static int firstAssignedIn(List<Integer> replicas, List<Integer> isr) {
        for (int replica : replicas) {
            if (isr.contains(replica)) {
                return replica;
            }
        }
        // ISR members outside the assignment cannot happen with Skein's writes; fall back to the ISR's order.
        return isr.get(0);
    }
}
