package dev.skein.operator.cluster;

import dev.skein.operator.status.Condition;
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
        SkeinClusterStatus status;
        if (decision instanceof ScaleDownGuard.Blocked blocked) {
            status = base(cluster, ClusterReason.ScaleDownBlocked, blocked.message(), now);
        } else if (decision instanceof ScaleDownGuard.Unreachable unreachable) {
            status = base(cluster, ClusterReason.BrokerUnavailable, unreachable.message(), now);
        } else if (readyBrokers < requested) {
            status = base(
                    cluster, ClusterReason.BrokersNotReady, readyBrokers + " of " + requested + " brokers ready", now);
        } else {
            status = base(cluster, ClusterReason.Ready, "all " + requested + " brokers ready", now);
        }
        status.setReadyBrokers(readyBrokers);
        status.setReplicas(decision.replicas());
        status.setBootstrapServers(bootstrapServers);
        return status;
    }

    /** Status for a spec that cannot be applied; the previous counters are kept since nothing changed. */
    public static SkeinClusterStatus invalid(SkeinCluster cluster, List<String> problems, Instant now) {
        SkeinClusterStatus status = base(cluster, ClusterReason.InvalidSpec, String.join("; ", problems), now);
        SkeinClusterStatus previous = cluster.getStatus();
        if (previous != null) {
            status.setReadyBrokers(previous.getReadyBrokers());
            status.setReplicas(previous.getReplicas());
            status.setBootstrapServers(previous.getBootstrapServers());
        }
        return status;
    }

    /** A status with only the Ready condition for {@code reason} and the observed generation. */
    private static SkeinClusterStatus base(SkeinCluster cluster, ClusterReason reason, String message, Instant now) {
        Condition previous = cluster.getStatus() == null
                ? null
                : cluster.getStatus().condition(Condition.READY).orElse(null);
        long generation = generation(cluster);
        SkeinClusterStatus status = new SkeinClusterStatus();
        status.setConditions(
                List.of(Condition.ready(reason, message, generation, now).transitionFrom(previous)));
        status.setObservedGeneration(generation);
        return status;
    }

    private static long generation(SkeinCluster cluster) {
        Long generation = cluster.getMetadata().getGeneration();
        return generation == null ? 0 : generation;
    }
}
