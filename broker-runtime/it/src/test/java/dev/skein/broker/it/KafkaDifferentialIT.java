package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.it.FrameExchange.Kind;
import dev.skein.broker.it.FrameExchange.Outcome;
import dev.skein.testkit.SkeinTestProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test against Apache Kafka 4.4: the same abusive requests ({@link AbusiveRequests}) go as raw frames
 * to a Kafka 4.4 subprocess and to a Skein subprocess, and Skein must be at least as strict: where Kafka answers an
 * error code Skein answers the same one (any error where Kafka's is UNKNOWN_SERVER_ERROR, an internal failure rather
 * than a contract), where Kafka closes the connection Skein closes it or answers an error, and
 * where Kafka's log end offset does not move neither does Skein's. Skein runs in its own JVM because some of these
 * requests can exhaust a broker's heap; if it dies or stops answering it is restarted fresh for the next case.
 *
 * <p>The answers of both brokers are written as a markdown table to {@code target/kafka44-answers.md}. Kafka's
 * classpath: see {@link KafkaReference#requireClasspath()}.
 */
@Tag("differential")
class KafkaDifferentialIT {
    @TempDir
    static Path dir;

    static KafkaReference kafka;
    static SkeinTestProcess skein;
    static ComparedBroker kafkaBroker;
    static ComparedBroker skeinBroker;
    static int skeinStarts;
    static final Map<String, String> TABLE = new LinkedHashMap<>();

    @BeforeAll
    static void startBrokers() throws Exception {
        String classpath = KafkaReference.requireClasspath();
        kafka = KafkaReference.start(classpath, dir.resolve("kafka"));
        kafkaBroker = new ComparedBroker("kafka", kafka.port());
        startSkein();
        kafkaBroker.prepare();
    }

    @AfterAll
    static void stopBrokers() throws Exception {
        if (skein != null) {
            skein.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (!TABLE.isEmpty()) {
            writeTable();
        }
    }

    @TestFactory
    Stream<DynamicTest> skeinRefusesWhatKafkaRefuses() {
        return AbusiveRequests.all().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> compare(c)));
    }

    private static void compare(AbusiveRequests.Case abuse) throws Exception {
        if (!skein.alive()) {
            restartSkein();
        }
        List<Outcome> kafkaOutcomes = new ArrayList<>();
        List<Outcome> skeinOutcomes = new ArrayList<>();
        long kafkaBefore = kafkaBroker.endOffset();
        long skeinBefore = skeinBroker.endOffset();
        for (AbstractRequest request : abuse.requests().apply(kafkaBroker.target())) {
            kafkaOutcomes.add(kafkaBroker.send(request));
        }
        for (AbstractRequest request : abuse.requests().apply(skeinBroker.target())) {
            skeinOutcomes.add(skeinBroker.send(request));
        }
        long kafkaAfter = kafkaBroker.endOffset();
        long skeinAfter = skeinBroker.endOffset();
        boolean skeinBroken = !skein.alive() || skeinOutcomes.stream().anyMatch(o -> o.kind() == Kind.TIMED_OUT);
        record(abuse, kafkaOutcomes, skeinOutcomes, kafkaBefore, kafkaAfter, skeinBefore, skeinAfter, skeinBroken);
        if (skeinBroken) {
            restartSkein();
        }

        for (int i = 0; i < kafkaOutcomes.size(); i++) {
            Outcome k = kafkaOutcomes.get(i);
            Outcome s = skeinOutcomes.get(i);
            String what = abuse.name() + " request " + (i + 1) + ": Kafka " + k.summary() + " [" + k.detail()
                    + "], Skein " + s.summary() + " [" + s.detail() + "]";
            assertThat(s.kind()).as(what).isNotEqualTo(Kind.TIMED_OUT);
            if (k.kind() == Kind.CLOSED) {
                assertThat(s.refused()).as(what).isTrue();
            } else if (k.errors().containsKey(Errors.UNKNOWN_SERVER_ERROR)) {
                // Kafka failed internally (e.g. an unknown codec id): no code to match, but it did not accept it
                assertThat(s.refused()).as(what).isTrue();
            } else if (k.refused()) {
                assertThat(s.errorNames()).as(what).isEqualTo(k.errorNames());
            }
        }
        assertThat(skeinBroken).as(abuse.name() + ": Skein died or hung").isFalse();
        if (abuse.skeinMustRefuse()) {
            assertThat(skeinOutcomes.get(skeinOutcomes.size() - 1).refused())
                    .as(abuse.name() + ": Kafka 4.4 accepts this, Skein must refuse it")
                    .isTrue();
        }
        if (kafkaAfter == kafkaBefore) {
            assertThat(skeinAfter)
                    .as(abuse.name() + ": Kafka's end offset stayed at " + kafkaBefore + ", Skein's moved")
                    .isEqualTo(skeinBefore);
        }
    }

    private static void startSkein() throws Exception {
        skeinStarts++;
        skein = SkeinTestProcess.start(dir.resolve("skein-" + skeinStarts), List.of());
        skeinBroker = new ComparedBroker("skein", skein.port());
        skeinBroker.prepare();
    }

    private static void restartSkein() throws Exception {
        skein.close();
        startSkein();
    }

    private static void record(
            AbusiveRequests.Case abuse,
            List<Outcome> kafkaOutcomes,
            List<Outcome> skeinOutcomes,
            long kafkaBefore,
            long kafkaAfter,
            long skeinBefore,
            long skeinAfter,
            boolean skeinBroken) {
        StringBuilder row =
                new StringBuilder("| `").append(abuse.name()).append("` | ").append(abuse.description());
        row.append(" | ")
                .append(summaries(kafkaOutcomes))
                .append(" | end offset ")
                .append(kafkaBefore);
        row.append("→").append(kafkaAfter).append(" | ").append(summaries(skeinOutcomes));
        row.append(" | end offset ").append(skeinBefore).append("→").append(skeinAfter);
        row.append(skeinBroken ? " (Skein died or hung; restarted)" : "").append(" | ");
        row.append(kafkaOutcomes.get(kafkaOutcomes.size() - 1).detail()).append(" |");
        TABLE.put(abuse.name(), row.toString());
    }

    private static String summaries(List<Outcome> outcomes) {
        StringBuilder text = new StringBuilder();
        for (Outcome outcome : outcomes) {
            text.append(text.length() == 0 ? "" : "; ").append(outcome.summary());
        }
        return text.toString();
    }

    private static void writeTable() throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| case | request | Kafka 4.4 answer | Kafka log | Skein answer | Skein log | Kafka response |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        TABLE.values().forEach(row -> md.append(row).append('\n'));
        Path out = Path.of("target", "kafka44-answers.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println(md);
    }
}
