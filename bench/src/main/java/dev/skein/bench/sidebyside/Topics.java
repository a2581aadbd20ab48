package dev.skein.bench.sidebyside;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/** Creates the fresh topic of each cell (replication factor 1, broker-default configs) and waits until it is usable. */
final class Topics {
    private Topics() {}

    static void create(Admin admin, String topic, int partitions, int timeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get(timeoutSeconds, TimeUnit.SECONDS);
    }

    /**
     * Writes one record to each partition with a non-idempotent producer and waits for all acknowledgements (not
     * timed), so that a measurement starts only once every partition accepts writes. Needed for Apache Kafka 4.4.0:
     * for a moment after a topic is created it answers NOT_LEADER_OR_FOLLOWER, and an idempotent producer whose
     * first request to a partition failed that way while a later one succeeded retries the first with
     * OUT_OF_ORDER_SEQUENCE_NUMBER until {@code delivery.timeout.ms} (KAFKA-15591, fixed after 4.4).
     */
    static void awaitWritable(String bootstrap, String topic, int partitions, byte[] value, int timeoutSeconds)
            throws InterruptedException, ExecutionException, TimeoutException {
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ClientConfigs.producer(bootstrap, "1", "none", timeoutSeconds))) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                sent.add(producer.send(new ProducerRecord<>(topic, p, null, value)));
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(timeoutSeconds, TimeUnit.SECONDS);
            }
        }
    }
}
