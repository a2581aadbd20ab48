package dev.skein.connector.impl;

import static dev.skein.connector.impl.LoopHarness.ack;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.connector.SkeinIncomingBatchMetadata;
import dev.skein.connector.SkeinIncomingMetadata;
import dev.skein.connector.commit.CommitStrategy;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/** {@code batch=true}: one message per poll, a list payload, per-record metadata, one ack for all of it. */
class BatchDeliveryTest {
    private final LoopHarness harness =
            new LoopHarness(LoopHarness.settings(true, false, false, 1000), CommitStrategy.named("latest", "o", 0, 0));

    @Test
    void deliversOnePollAsOneListWithTheMetadataOfEveryRecord() {
        harness.assign(2);
        harness.add(0, 0, "k0", "a");
        harness.add(0, 1, "k1", "b");
        harness.add(1, 0, "k2", "c");
        harness.request(1);
        harness.step();

        assertThat(harness.received).hasSize(1);
        Message<?> batch = harness.received.get(0);
        List<?> values = (List<?>) batch.getPayload();
        List<SkeinIncomingMetadata> records = batch.getMetadata(SkeinIncomingBatchMetadata.class)
                .orElseThrow()
                .records();
        Map<String, String> expected = Map.of("0@0", "a:k0", "0@1", "b:k1", "1@0", "c:k2");
        assertThat(records).hasSize(3);
        assertThat(values).hasSize(3);
        for (int i = 0; i < records.size(); i++) {
            SkeinIncomingMetadata record = records.get(i);
            assertThat(record.topic()).isEqualTo(LoopHarness.TOPIC);
            assertThat(values.get(i) + ":" + record.key())
                    .isEqualTo(expected.get(record.partition() + "@" + record.offset()));
        }
        assertThat(batch.getMetadata(SkeinIncomingMetadata.class)).contains(records.get(2));
    }

    @Test
    void ackingTheBatchCommitsEveryRecordInIt() {
        harness.assign(2);
        harness.add(0, 0, null, "a");
        harness.add(0, 1, null, "b");
        harness.add(1, 0, null, "c");
        harness.request(10);
        harness.step();
        harness.step();
        assertThat(harness.committed()).isEmpty();

        ack(harness.received.get(0));
        harness.step();
        assertThat(harness.committed()).isEqualTo(Map.of(0, 2L, 1, 1L));
    }
}
