package dev.skein.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault suite's checker finds each kind of violation it claims to find, and passes a clean history. */
class HistoryCheckerTest {
    private static final String TOPIC = "t";

    @TempDir
    Path dir;

    private static Workload.Ack ack(int key, long seq, String value, int partition, long offset) {
        return new Workload.Ack(key, seq, value, partition, offset, 0, 0);
    }

    @Test
    void cleanHistoryHasNoProblems() {
        HistoryChecker checker = new HistoryChecker(TOPIC, 1);
        checker.stored(0, 0, "a");
        checker.stored(0, 1, "b");
        checker.check(
                List.of(ack(1, 0, "a", 0, 0), ack(1, 1, "b", 0, 1)),
                Map.of(new TopicPartition(TOPIC, 0), Map.of(0L, "a")));
        assertThat(checker.problems()).isEmpty();
        assertThat(checker.lost()).isZero();
    }

    @Test
    void findsALostAndAnOverwrittenAcknowledgedRecord() {
        HistoryChecker checker = new HistoryChecker(TOPIC, 1);
        checker.stored(0, 0, "other");
        checker.check(List.of(ack(1, 0, "a", 0, 0), ack(1, 1, "b", 0, 1)), Map.of());
        assertThat(checker.lost()).isEqualTo(2);
        assertThat(checker.problems()).hasSize(2);
    }

    @Test
    void findsAValueStoredTwice() {
        HistoryChecker checker = new HistoryChecker(TOPIC, 1);
        checker.stored(0, 0, "a");
        checker.stored(0, 1, "a");
        checker.check(List.of(ack(1, 0, "a", 0, 0)), Map.of());
        assertThat(checker.duplicates()).isEqualTo(1);
    }

    @Test
    void findsKeyOrderBrokenAndAnOffsetThatChangedItsValue() {
        HistoryChecker checker = new HistoryChecker(TOPIC, 1);
        checker.stored(0, 0, "b");
        checker.stored(0, 1, "a");
        checker.check(
                List.of(ack(1, 0, "a", 0, 1), ack(1, 1, "b", 0, 0)),
                Map.of(new TopicPartition(TOPIC, 0), Map.of(0L, "x")));
        assertThat(checker.problems())
                .anySatisfy(p -> assertThat(p).contains("out of order"))
                .anySatisfy(p -> assertThat(p).contains("consumer read x"));
    }

    @Test
    void comparesReplicaSegmentsByteForByte() throws Exception {
        for (String broker : List.of("b1", "b2")) {
            Files.createDirectories(dir.resolve(broker).resolve(TOPIC + "-0"));
            Files.write(
                    dir.resolve(broker).resolve(TOPIC + "-0").resolve("00000000000000000000.log"), new byte[] {1, 2});
        }
        HistoryChecker same = new HistoryChecker(TOPIC, 1);
        same.compareReplicas(List.of(dir.resolve("b1"), dir.resolve("b2")));
        assertThat(same.problems()).isEmpty();

        Files.write(dir.resolve("b2").resolve(TOPIC + "-0").resolve("00000000000000000002.log"), new byte[] {3});
        HistoryChecker different = new HistoryChecker(TOPIC, 1);
        different.compareReplicas(List.of(dir.resolve("b1"), dir.resolve("b2")));
        assertThat(different.problems()).singleElement().asString().contains("differ");
    }
}
