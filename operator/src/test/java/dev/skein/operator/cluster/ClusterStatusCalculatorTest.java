package dev.skein.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.operator.status.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterStatusCalculatorTest {
    private static final Instant T1 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T2 = Instant.parse("2026-01-01T00:05:00Z");

    @Test
    void readyWhenEveryRequestedBrokerIsReady() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 3, spec -> {});
        SkeinClusterStatus status = ClusterStatusCalculator.applied(
                cluster, new ScaleDownGuard.Proceed(3), 3, "events-bootstrap.kafka.svc:9092", T1);

        Condition ready = status.condition(Condition.READY).orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo(ClusterReason.Ready.name());
        assertThat(ready.getObservedGeneration()).isEqualTo(4L);
        assertThat(status.getObservedGeneration()).isEqualTo(4L);
        assertThat(status.getReadyBrokers()).isEqualTo(3);
        assertThat(status.getReplicas()).isEqualTo(3);
        assertThat(status.getBootstrapServers()).isEqualTo("events-bootstrap.kafka.svc:9092");
    }

    @Test
    void notReadyWhileBrokersRoll() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 3, spec -> {});
        Condition ready = ClusterStatusCalculator.applied(cluster, new ScaleDownGuard.Proceed(3), 2, "b", T1)
                .condition(Condition.READY)
                .orElseThrow();
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo(ClusterReason.BrokersNotReady.name());
        assertThat(ready.getMessage()).isEqualTo("2 of 3 brokers ready");
    }

    @Test
    void blockedScaleDownReportsKeptSizeAndReason() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 1, spec -> {});
        SkeinClusterStatus status = ClusterStatusCalculator.applied(
                cluster, new ScaleDownGuard.Blocked(2, List.of("t-0"), "refused: t-0"), 2, "b", T1);
        assertThat(status.getReplicas()).isEqualTo(2);
        assertThat(status.condition(Condition.READY).orElseThrow().getReason())
                .isEqualTo(ClusterReason.ScaleDownBlocked.name());
        assertThat(status.condition(Condition.READY).orElseThrow().getMessage()).isEqualTo("refused: t-0");
    }

    @Test
    void transitionTimeOnlyMovesWhenStatusChanges() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 3, spec -> {});
        cluster.setStatus(ClusterStatusCalculator.applied(cluster, new ScaleDownGuard.Proceed(3), 1, "b", T1));

        SkeinClusterStatus stillNotReady =
                ClusterStatusCalculator.applied(cluster, new ScaleDownGuard.Proceed(3), 2, "b", T2);
        assertThat(stillNotReady.condition(Condition.READY).orElseThrow().getLastTransitionTime())
                .isEqualTo(T1.toString());

        SkeinClusterStatus nowReady =
                ClusterStatusCalculator.applied(cluster, new ScaleDownGuard.Proceed(3), 3, "b", T2);
        assertThat(nowReady.condition(Condition.READY).orElseThrow().getLastTransitionTime())
                .isEqualTo(T2.toString());
    }

    @Test
    void invalidSpecKeepsPreviousCountersAndNamesTheProblems() {
        SkeinCluster cluster = ClusterFixtures.cluster("events", 3, spec -> {});
        cluster.setStatus(ClusterStatusCalculator.applied(cluster, new ScaleDownGuard.Proceed(3), 3, "b", T1));
        SkeinClusterStatus status =
                ClusterStatusCalculator.invalid(cluster, List.of("spec.replicas must be at least 1"), T2);
        assertThat(status.getReadyBrokers()).isEqualTo(3);
        assertThat(status.getBootstrapServers()).isEqualTo("b");
        Condition ready = status.condition(Condition.READY).orElseThrow();
        assertThat(ready.getReason()).isEqualTo(ClusterReason.InvalidSpec.name());
        assertThat(ready.getMessage()).isEqualTo("spec.replicas must be at least 1");
        assertThat(ready.getLastTransitionTime()).isEqualTo(T2.toString());
    }
}
