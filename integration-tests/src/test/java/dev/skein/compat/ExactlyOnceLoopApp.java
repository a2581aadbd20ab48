package dev.skein.compat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A consume-transform-produce loop with the Java transactional API, run by {@link ExactlyOnceLoopIT} in its own JVM so
 * the test can kill it with SIGKILL: {@code ExactlyOnceLoopApp <bootstrap> <group> <input> <output> <transactional id>
 * <seed>}. Each poll's records become one transaction: the output records ({@code out-} + input value) and the input
 * offsets ({@code sendOffsetsToTransaction} with the consumer's group metadata). A seeded fifth of the transactions is
 * aborted and its records reprocessed. Prints {@code COMMITTED <n>} after each commit; runs until killed.
 */
public final class ExactlyOnceLoopApp {
    private ExactlyOnceLoopApp() {}

    public static void main(String[] args) {
        String bootstrap = args[0];
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        // static membership: the restarted instance takes the killed one's place without waiting for its session
        consumerProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, args[1] + "-instance");
        consumerProps.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[4]);
        producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        Random random = new Random(Long.parseLong(args[5]));
        try (KafkaConsumer<String, String> consumer =
                        new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer());
                KafkaProducer<String, String> producer =
                        new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            consumer.subscribe(List.of(args[2]));
            long committed = 0;
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                for (ConsumerRecord<String, String> r : records) {
                    producer.send(new ProducerRecord<>(args[3], r.key(), "out-" + r.value()));
                }
                producer.sendOffsetsToTransaction(next(records), consumer.groupMetadata());
                if (random.nextInt(5) == 0) {
                    producer.abortTransaction();
                    for (TopicPartition tp : records.partitions()) {
                        consumer.seek(tp, records.records(tp).get(0).offset());
                    }
                } else {
                    producer.commitTransaction();
                    committed += records.count();
                    System.out.println("COMMITTED " + committed);
                    System.out.flush();
                }
            }
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> next(ConsumerRecords<String, String> records) {
        return records.partitions().stream().collect(Collectors.toMap(tp -> tp, tp -> {
            List<ConsumerRecord<String, String>> in = records.records(tp);
            return new OffsetAndMetadata(in.get(in.size() - 1).offset() + 1);
        }));
    }
}
