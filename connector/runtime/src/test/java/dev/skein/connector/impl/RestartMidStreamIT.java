package dev.skein.connector.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.testkit.SkeinTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/** Stopping a channel mid-stream and starting it again loses no record (acks completed out of order). */
class RestartMidStreamIT {
    @Test
    void restartMidStreamLosesNoRecordAndResumesAfterTheContiguousAcks() throws Exception {
        try (SkeinTestBroker broker = SkeinTestBroker.startInTempDir(Map.of("num.partitions", "1"))) {
            String bootstrap = broker.bootstrap();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 200; i++) {
                    producer.send(new ProducerRecord<>("restart", "k" + i, String.valueOf(i)));
                }
            }
            Set<String> processed = new TreeSet<>();

            List<Message<?>> first = new ArrayList<>();
            SkeinSource source = SkeinSource.open(
                    RealSources.stringChannel("restart", bootstrap, Map.of("graceful-shutdown.timeout.ms", "500")),
                    java.time.Clock.systemUTC());
            ConcurrentLinkedQueue<Message<?>> inbox = RealSources.collectAll(source);
            await().atMost(Duration.ofSeconds(60)).until(() -> inbox.size() >= 80);
            for (int i = 0; i < 80; i++) {
                first.add(inbox.poll());
            }
            // complete 79..0 in reverse, except 50: the commit may only reach offset 50
            for (int i = 79; i >= 0; i--) {
                if (i != 50) {
                    first.get(i).ack();
                    processed.add((String) first.get(i).getPayload());
                }
            }
            source.close();

            SkeinSource again = SkeinSource.open(
                    RealSources.stringChannel("restart", bootstrap, Map.of("graceful-shutdown.timeout.ms", "500")),
                    java.time.Clock.systemUTC());
            ConcurrentLinkedQueue<Message<?>> secondInbox = RealSources.collectAll(again);
            await().atMost(Duration.ofSeconds(60)).until(() -> secondInbox.size() >= 150);
            Message<?> resumedAt = secondInbox.peek();
            assertThat(resumedAt.getPayload()).isEqualTo("50");
            secondInbox.forEach(message -> {
                processed.add((String) message.getPayload());
                message.ack();
            });
            again.close();

            Set<String> all = new TreeSet<>();
            for (int i = 0; i < 200; i++) {
                all.add(String.valueOf(i));
            }
            assertThat(processed).isEqualTo(all);
        }
    }
}
