package dev.skein.connector.impl;

import static dev.skein.connector.impl.LoopHarness.ack;
import static dev.skein.connector.impl.LoopHarness.partition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.connector.commit.CommitStrategy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Revoked partitions are committed up to their acknowledged position before they move to another member. */
class RebalanceCommitTest {
    private final LoopHarness harness = new LoopHarness(
            LoopHarness.settings(false, false, false, 1000), CommitStrategy.named("throttled", "o", 600_000, 0));

    @Test
    void commitsAcknowledgedOffsetsOfRevokedPartitionsBeforeTheyMove() {
        harness.assign(2);
        harness.add(0, 0, null, "p0-0");
        harness.add(0, 1, null, "p0-1");
        harness.add(0, 2, null, "p0-2");
        harness.add(1, 0, null, "p1-0");
        harness.request(100);
        harness.step();
        assertThat(harness.received).hasSize(4);
        for (var message : harness.received) {
            if (!message.getPayload().equals("p0-1")) {
                ack(message);
            }
        }
        harness.step();
        assertThat(harness.committed()).as("throttled: nothing due yet").isEmpty();

        // the group takes partition 0 away during the next poll
        harness.consumer.schedulePollTask(() -> harness.consumer.rebalance(List.of(partition(1))));
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 1L));
        assertThat(harness.consumer.assignment()).containsExactly(partition(1));
    }

    @Test
    void acksArrivingAfterRevocationCommitNothingForTheLostPartition() {
        harness.assign(1);
        harness.add(0, 0, null, "p0-0");
        harness.request(100);
        harness.step();
        harness.consumer.schedulePollTask(() -> harness.consumer.rebalance(List.of()));
        harness.step();
        ack(harness.received.get(0));
        harness.loop.finish();
        assertThat(harness.committed()).isEmpty();
    }

    @Test
    void shutdownCommitsWhatWasAcknowledged() {
        harness.assign(1);
        harness.add(0, 0, null, "p0-0");
        harness.add(0, 1, null, "p0-1");
        harness.request(100);
        harness.step();
        ack(harness.received.get(0));
        harness.loop.finish();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 1L));
    }
}
