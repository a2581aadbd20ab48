package dev.skein.connector.impl;

import static dev.skein.connector.impl.LoopHarness.ack;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.connector.commit.CommitStrategy;
import org.junit.jupiter.api.Test;

/** {@code ordering=key}: one record per key in flight, different keys side by side. */
class KeyOrderedDeliveryTest {
    private final LoopHarness harness =
            new LoopHarness(LoopHarness.settings(false, true, false, 100), CommitStrategy.named("latest", "o", 0, 0));

    @Test
    void holdsTheNextRecordOfAKeyUntilThePreviousOneIsAcked() {
        harness.assign(1);
        harness.add(0, 0, "a", "a0");
        harness.add(0, 1, "a", "a1");
        harness.add(0, 2, "b", "b0");
        harness.add(0, 3, "a", "a2");
        harness.add(0, 4, "b", "b1");
        harness.request(100);
        harness.step();
        assertThat(harness.payloads()).containsExactly("a0", "b0");

        ack(harness.received.get(1));
        harness.deliveryThread.runAll();
        assertThat(harness.payloads()).containsExactly("a0", "b0", "b1");

        ack(harness.received.get(0));
        harness.deliveryThread.runAll();
        assertThat(harness.payloads()).containsExactly("a0", "b0", "b1", "a1");
        ack(harness.received.get(3));
        harness.deliveryThread.runAll();
        assertThat(harness.payloads()).containsExactly("a0", "b0", "b1", "a1", "a2");
    }

    @Test
    void nackReleasesTheKeyLikeAnAck() {
        harness.assign(1);
        harness.add(0, 0, "a", "a0");
        harness.add(0, 1, "a", "a1");
        harness.request(100);
        harness.step();
        assertThat(harness.payloads()).containsExactly("a0");

        harness.received
                .get(0)
                .nack(new IllegalStateException("boom"))
                .toCompletableFuture()
                .join();
        harness.deliveryThread.runAll();
        assertThat(harness.payloads()).containsExactly("a0", "a1");
    }

    @Test
    void recordsWithoutKeyNeverWait() {
        harness.assign(1);
        harness.add(0, 0, null, "n0");
        harness.add(0, 1, null, "n1");
        harness.add(0, 2, "a", "a0");
        harness.request(100);
        harness.step();
        assertThat(harness.payloads()).containsExactly("n0", "n1", "a0");
    }

    @Test
    void commitsOnlyPastTheContiguouslyAckedRecordsWhateverTheKeyOrder() {
        harness.assign(1);
        harness.add(0, 0, "a", "a0");
        harness.add(0, 1, "b", "b0");
        harness.request(100);
        harness.step();
        ack(harness.received.get(1));
        harness.step();
        assertThat(harness.committed()).isEmpty();
        ack(harness.received.get(0));
        harness.step();
        assertThat(harness.committed()).containsEntry(0, 2L);
    }
}
