package dev.skein.connector.impl;

import static dev.skein.connector.impl.LoopHarness.ack;
import static dev.skein.connector.impl.LoopHarness.partition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.connector.commit.CommitStrategy;
import org.junit.jupiter.api.Test;

/** The consumer pauses its partitions instead of buffering when downstream stops, and resumes when it catches up. */
class BackPressureTest {
    @Test
    void pausesWhenDownstreamStopsRequestingAndResumesWhenDemandReturns() {
        LoopHarness harness = new LoopHarness(
                LoopHarness.settings(false, false, true, 1000), CommitStrategy.named("latest", "o", 0, 0));
        harness.assign(2);
        for (int i = 0; i < 3; i++) {
            harness.add(0, i, null, "p0-" + i);
        }
        harness.request(1);
        harness.step();
        assertThat(harness.payloads()).containsExactly("p0-0");

        harness.step();
        assertThat(harness.consumer.paused()).containsExactlyInAnyOrder(partition(0), partition(1));
        harness.add(0, 3, null, "p0-3");
        harness.add(1, 0, null, "p1-0");
        harness.step();
        harness.step();
        assertThat(harness.payloads()).hasSize(1);

        harness.request(100);
        assertThat(harness.payloads()).containsExactly("p0-0", "p0-1", "p0-2");
        harness.step();
        assertThat(harness.consumer.paused()).isEmpty();
        assertThat(harness.payloads()).containsExactlyInAnyOrder("p0-0", "p0-1", "p0-2", "p0-3", "p1-0");
    }

    @Test
    void unacknowledgedRecordsNeverExceedTheCapacityPlusOnePoll() {
        int capacity = 4;
        int maxPollRecords = 2;
        LoopHarness harness = new LoopHarness(
                LoopHarness.settings(false, false, false, capacity), CommitStrategy.named("latest", "o", 0, 0));
        harness.consumer.setMaxPollRecords(maxPollRecords);
        harness.assign(1);
        for (int i = 0; i < 20; i++) {
            harness.add(0, i, null, String.valueOf(i));
        }
        harness.request(Long.MAX_VALUE);
        for (int i = 0; i < 10; i++) {
            harness.step();
        }
        assertThat(harness.received).hasSizeBetween(capacity, capacity + maxPollRecords - 1);
        assertThat(harness.consumer.paused()).containsExactly(partition(0));

        int before = harness.received.size();
        ack(harness.received.get(0));
        ack(harness.received.get(1));
        harness.step();
        harness.step();
        assertThat(harness.consumer.paused()).containsExactly(partition(0));
        assertThat(harness.received).hasSize(before + 2);
    }
}
