package dev.skein.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The kit itself: the extension's broker serves real clients, survives a restart, and the leak check sees leaks. */
@ExtendWith(LeakCheck.class)
class SkeinTestBrokerTest {
    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @Test
    void recordsSurviveARestartOnTheSamePortAndDataDirectory() throws Exception {
        skein.createTopic("kit", 1);
        KafkaProducer<String, String> producer = skein.stringProducer(Map.of("acks", "all"));
        producer.send(new ProducerRecord<>("kit", "k", "before")).get();
        int port = skein.port();

        skein.restart();

        assertThat(skein.port()).isEqualTo(port);
        producer.send(new ProducerRecord<>("kit", "k", "after")).get();
        KafkaConsumer<String, String> consumer = skein.stringConsumer(Map.of());
        consumer.assign(List.of(new org.apache.kafka.common.TopicPartition("kit", 0)));
        List<String> values = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (values.size() < 2 && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                values.add(record.value());
            }
        }
        assertThat(values).containsExactly("before", "after");
    }

    @Test
    void theLeakCheckSeesABrokerLeftRunningAndNothingOnceItIsClosed() throws Exception {
        LeakCheck.Snapshot before = LeakCheck.snapshot();
        Path dir = Files.createTempDirectory("skein-leak-");
        SkeinTestBroker leaked = SkeinTestBroker.start(dir);
        leaked.createTopic("leaky", 1);
        leaked.bytesProducer(Map.of())
                .send(new ProducerRecord<>("leaky", new byte[] {1}))
                .get();

        assertThat(LeakCheck.leaks(before))
                .anyMatch(leak -> leak.startsWith("thread skein-"))
                .anyMatch(leak -> leak.startsWith("open file ") && leak.contains(dir.toString()));

        leaked.close();
        List<String> after = LeakCheck.leaks(before);
        long deadline =
                System.nanoTime() + Duration.ofMillis(LeakCheck.GRACE_MS).toNanos();
        while (!after.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            after = LeakCheck.leaks(before);
        }
        assertThat(after).isEmpty();
    }
}
