package dev.skein.bench.sidebyside;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * One exactly-once consume-transform-produce hop, as a Kafka Streams {@code exactly_once_v2} task or the connector's
 * transactional channel runs it: a {@code read_committed} consumer of partition 0 of {@code source} (group
 * {@code bench-hop}) and a transactional producer to partition 0 of {@code target}; each non-empty poll becomes one
 * transaction holding the copied records and the consumer's next offsets ({@code sendOffsetsToTransaction} with the
 * consumer's group metadata), committed before the next poll. Runs on its own thread until {@link #stop}.
 */
final class TxnHop implements Runnable {
    private final String bootstrap;
    private final TopicPartition source;
    private final String target;
    private final int timeoutS;
    private final AtomicBoolean stop = new AtomicBoolean();
    /** Counted down once the consumer has its position (the end of the source at start). */
    final CountDownLatch ready = new CountDownLatch(1);

    TxnHop(String bootstrap, String source, String target, int timeoutS) {
        this.bootstrap = bootstrap;
        this.source = new TopicPartition(source, 0);
        this.target = target;
        this.timeoutS = timeoutS;
    }

    void stop() {
        stop.set(true);
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig());
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig())) {
            producer.initTransactions();
            consumer.assign(List.of(source));
            consumer.seekToEnd(List.of(source));
            consumer.position(source, Duration.ofSeconds(timeoutS));
            ready.countDown();
            while (!stop.get()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                long next = -1;
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    producer.send(new ProducerRecord<>(target, 0, record.key(), record.value()));
                    next = record.offset() + 1;
                }
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                offsets.put(source, new OffsetAndMetadata(next));
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
            }
        }
    }

    private Properties consumerConfig() {
        Properties props = ClientConfigs.consumer(bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-hop");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return props;
    }

    private Properties producerConfig() {
        Properties props = ClientConfigs.producer(bootstrap, "all", "none", timeoutS);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-hop-" + target);
        return props;
    }
}
