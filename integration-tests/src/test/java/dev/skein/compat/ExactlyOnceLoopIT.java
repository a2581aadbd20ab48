package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consume-transform-produce loop ({@link ExactlyOnceLoopApp}, Java transactional API with
 * {@code sendOffsetsToTransaction}, a seeded fifth of its transactions aborted) killed with SIGKILL three times
 * mid-run and restarted with the same transactional id and static group member: a {@code read_committed} reader of the
 * output sees every input exactly once, and the group's committed offsets are the input's end.
 */
class ExactlyOnceLoopIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int INPUTS = 3_000;
    private static final String INPUT = "loop-in";
    private static final String OUTPUT = "loop-out";
    private static final String GROUP = "loop-group";

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @Test
    void loopKilledRepeatedlyWithRandomAbortsOutputsEveryInputExactlyOnce() throws Exception {
        skein.createTopic(INPUT, 3);
        skein.createTopic(OUTPUT, 3);
        Admin admin = skein.admin();
        Thread feeder = new Thread(ExactlyOnceLoopIT::produceInputs, "loop-input-feeder");
        feeder.start();
        try {
            for (int run = 1; run <= 3; run++) {
                try (ExternalProcess app = startApp(run)) {
                    Awaitility.await("run " + run + " committed transactions")
                            .atMost(WAIT)
                            .until(() -> app.stdout()
                                            .lines()
                                            .filter(l -> l.startsWith("COMMITTED"))
                                            .count()
                                    >= 5);
                    app.kill();
                }
            }
            try (ExternalProcess app = startApp(4)) {
                Awaitility.await("every input's offset committed")
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(250))
                        .until(() -> committedInputs(admin) == INPUTS);
            }
        } finally {
            feeder.join(WAIT.toMillis());
        }
        List<String> output = new ArrayList<>();
        try (KafkaConsumer<String, String> reader =
                skein.stringConsumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            List<TopicPartition> tps = IntStream.range(0, 3)
                    .mapToObj(p -> new TopicPartition(OUTPUT, p))
                    .toList();
            reader.assign(tps);
            Map<TopicPartition, Long> end = reader.endOffsets(tps);
            Awaitility.await("read_committed output to its end").atMost(WAIT).until(() -> {
                reader.poll(Duration.ofMillis(100)).forEach(r -> output.add(r.value()));
                return tps.stream().allMatch(tp -> reader.position(tp) >= end.get(tp));
            });
        }
        assertThat(output)
                .as("every input exactly once")
                .containsExactlyInAnyOrderElementsOf(
                        IntStream.range(0, INPUTS).mapToObj(i -> "out-in-" + i).toList());
    }

    private static ExternalProcess startApp(int run) throws Exception {
        return ExternalProcess.start(
                dir,
                "loop-app-" + run,
                KafkaTool.command(
                        ExactlyOnceLoopApp.class.getName(),
                        List.of(skein.bootstrap(), GROUP, INPUT, OUTPUT, "loop-txn", String.valueOf(run))));
    }

    private static long committedInputs(Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().values().stream()
                .mapToLong(OffsetAndMetadata::offset)
                .sum();
    }

    /** Writes the inputs in acknowledged chunks of 100, one every 200 ms (about 6 s in all). */
    private static void produceInputs() {
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < INPUTS; i++) {
                producer.send(new ProducerRecord<>(INPUT, "k" + i, "in-" + i));
                if (i % 100 == 99) {
                    producer.flush();
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
