package dev.skein.connector.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.connector.SkeinIncomingMetadata;
import dev.skein.testkit.SkeinTestBroker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * Two real consumers in one group: when the second joins, the first gives up its partitions and commits what it had
 * acknowledged (the periodic commit is far off), so the second starts right after the acknowledged records.
 */
class RebalanceHandOverIT {
    static final String TOPIC = "handover";
    static final int PER_PARTITION = 10;
    static final int ACKED = 5;

    @Test
    void revokedPartitionsAreCommittedUpToTheAcksBeforeTheNewMemberTakesOver() throws Exception {
        try (SkeinTestBroker broker = SkeinTestBroker.startInTempDir(Map.of("num.partitions", "2"))) {
            String bootstrap = broker.bootstrap();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", bootstrap), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    for (int p = 0; p < 2; p++) {
                        producer.send(new ProducerRecord<>(TOPIC, p, "k", p + "-" + i));
                    }
                }
            }

            SkeinSource first = SkeinSource.open(
                    RealSources.stringChannel(TOPIC, bootstrap, Map.of("graceful-shutdown", "false")),
                    java.time.Clock.systemUTC());
            ConcurrentLinkedQueue<Message<?>> firstInbox = RealSources.collectAll(first);
            await().atMost(Duration.ofSeconds(60)).until(() -> firstInbox.size() >= 2 * PER_PARTITION);
            firstInbox.stream().filter(message -> offset(message) < ACKED).forEach(Message::ack);

            SkeinSource second = SkeinSource.open(
                    RealSources.stringChannel(TOPIC, bootstrap, Map.of("graceful-shutdown", "false")),
                    java.time.Clock.systemUTC());
            try {
                ConcurrentLinkedQueue<Message<?>> secondInbox = RealSources.collectAll(second);
                await().atMost(Duration.ofSeconds(60)).until(() -> !secondInbox.isEmpty());
                assertThat(offset(secondInbox.peek()))
                        .as("the new owner starts after the acknowledged records")
                        .isEqualTo(ACKED);
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(TOPIC)
                            .partitionsToOffsetAndMetadata()
                            .get();
                    assertThat(committed.get(new TopicPartition(TOPIC, 0)).offset())
                            .isEqualTo(ACKED);
                    assertThat(committed.get(new TopicPartition(TOPIC, 1)).offset())
                            .isEqualTo(ACKED);
                }
            } finally {
                second.close();
                first.close();
            }
        }
    }

    private static long offset(Message<?> message) {
        return message.getMetadata(SkeinIncomingMetadata.class).orElseThrow().offset();
    }
}
