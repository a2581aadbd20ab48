package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * At-least-once across a whole application restart: one broker started here (Dev Services off), two Quarkus
 * applications run one after the other against it. The first acknowledges {@value #ACKED_BY_FIRST} records, is left
 * holding the next one unacknowledged and is shut down; the second must start exactly at that record and finish the
 * topic. Each application is a test class ({@link AppRestartFirstRun}, {@link AppRestartSecondRun}; surefire's name
 * pattern does not pick them up) run through {@link ApplicationRuns}, so each starts and stops completely; they report
 * what they processed through {@link RestartLedger}.
 */
class AppRestartTest {
    static final int RECORDS = RestartLedger.RECORDS;
    static final int ACKED_BY_FIRST = RestartLedger.ACKED_BY_FIRST;

    @Test
    void secondApplicationResumesAfterTheLastRecordTheFirstAcknowledged() throws Exception {
        try (SkeinTestBroker broker = SkeinTestBroker.startInTempDir(Map.of("num.partitions", "1"))) {
            String bootstrap = broker.bootstrap();
            System.setProperty(RestartLedger.BOOTSTRAP_PROPERTY, bootstrap);
            Queue<String> first = RestartLedger.sharedQueue(RestartLedger.FIRST_RUN);
            Queue<String> second = RestartLedger.sharedQueue(RestartLedger.SECOND_RUN);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringSerializer(),
                    new StringSerializer())) {
                for (int i = 0; i < RECORDS; i++) {
                    producer.send(new ProducerRecord<>("restart-in", String.valueOf(i)));
                }
            }

            ApplicationRuns.runAndAssertPassed(AppRestartFirstRun.class);
            assertThat(first).hasSize(ACKED_BY_FIRST + 1);
            ApplicationRuns.runAndAssertPassed(AppRestartSecondRun.class);

            assertThat(second.peek())
                    .as("the second application starts right after the first one's acknowledged records")
                    .isEqualTo(String.valueOf(ACKED_BY_FIRST));
            List<String> all = new ArrayList<>(first);
            all.addAll(second);
            Set<Integer> seen = all.stream().map(Integer::valueOf).collect(Collectors.toCollection(TreeSet::new));
            assertThat(seen)
                    .containsExactlyElementsOf(
                            IntStream.range(0, RECORDS).boxed().toList());
        } finally {
            System.getProperties().remove(RestartLedger.BOOTSTRAP_PROPERTY);
            System.getProperties().remove(RestartLedger.FIRST_RUN);
            System.getProperties().remove(RestartLedger.SECOND_RUN);
        }
    }
}
