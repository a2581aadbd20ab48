package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request whose handling fails in a way that also breaks building its error response (found by the fuzzer:
 * kafka-clients' {@code ProduceRequest.getErrorResponse} throws on a partition with null records) is answered or its
 * connection closed; before the fix the connection stayed open and muted forever, a hang for that client.
 */
class RequestFailureIT {
    @TempDir
    Path dataDir;

    BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = BrokerHarness.start(dataDir);
        harness.createTopic(AbusiveRequests.TOPIC, 1, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
    }

    @Test
    void produceWithNullRecordsIsAnsweredOrClosedNotLeftHanging() throws Exception {
        FrameExchange.Outcome outcome = FrameExchange.exchange(
                harness.broker().port(), AbusiveRequests.produce(AbusiveRequests.TOPIC, null), 5000);
        assertThat(outcome.kind()).as(outcome.detail()).isNotEqualTo(FrameExchange.Kind.TIMED_OUT);
        assertThat(FuzzConnection.answersApiVersions(harness.broker().port(), 2000))
                .isTrue();
    }
}
