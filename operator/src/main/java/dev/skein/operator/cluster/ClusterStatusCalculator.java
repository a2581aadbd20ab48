package dev.skein.operator.cluster;

import java.time.Instant;
import java.util.List;

/**
 * The status a reconciliation writes, from what it decided and observed. Pure: {@code now} is passed in, and a
 * condition keeps its previous {@code lastTransitionTime} unless its status changes.
 */
public final class ClusterStatusCalculator {
    private ClusterStatusCalculator() {}

    /** Status after applying the children with the size {@code decision} chose. */
    public static SkeinClusterStatus applied(
            SkeinCluster cluster,
            ScaleDownGuard.Decision decision,
            int readyBrokers,
            String bootstrapServers,
            Instant now) {
        int requested = cluster.getSpec().getReplicas();
        ClusterCondition ready;
        long generation = generation(cluster);
        if (decision instanceof ScaleDownGuard.Blocked blocked) {
            ready = condition("False", ClusterReason.ScaleDownBlocked, blocked.message(), generation, now);
        } else if (decision instanceof ScaleDownGuard.Unreachable unreachable) {
            ready = condition("False", ClusterReason.BrokerUnavailable, unreachable.message(), generation, now);
        } else if (readyBrokers < requested) {
            ready = condition(
                    "False",
                    ClusterReason.BrokersNotReady,
                    readyBrokers + " of " + requested + " brokers ready",
                    generation,
                    now);
        } else {
            ready = condition("True", ClusterReason.Ready, "all " + requested + " brokers ready", generation, now);
        }
        SkeinClusterStatus status = base(cluster, ready);
        status.setReadyBrokers(readyBrokers);
        status.setReplicas(decision.replicas());
        status.setBootstrapServers(bootstrapServers);
        return status;
    }

    /** Status for a spec that cannot be applied; the previous counters are kept since nothing changed. */
    public static SkeinClusterStatus invalid(SkeinCluster cluster, List<String> problems, Instant now) {
        ClusterCondition ready =
                condition("False", ClusterReason.InvalidSpec, String.join("; ", problems), generation(cluster), now);
        SkeinClusterStatus status = base(cluster, ready);
        SkeinClusterStatus previous = cluster.getStatus();
        if (previous != null) {
            status.setReadyBrokers(previous.getReadyBrokers());
            status.setReplicas(previous.getReplicas());
            status.setBootstrapServers(previous.getBootstrapServers());
        }
        return status;
    }

    private static SkeinClusterStatus base(SkeinCluster cluster, ClusterCondition ready) {
        ClusterCondition previous =
                cluster.getStatus() == null ? null : cluster.getStatus().condition(ClusterCondition.READY);
        SkeinClusterStatus status = new SkeinClusterStatus();
        status.setConditions(List.of(ready.transitionFrom(previous)));
        status.setObservedGeneration(generation(cluster));
        return status;
    }

    private static ClusterCondition condition(
            String status, ClusterReason reason, String message, long generation, Instant now) {
        return new ClusterCondition(ClusterCondition.READY, status, reason, message, now.toString(), generation);
    }

    private static long generation(SkeinCluster cluster) {
        Long generation = cluster.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }
}
