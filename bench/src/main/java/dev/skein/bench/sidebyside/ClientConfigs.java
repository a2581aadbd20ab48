package dev.skein.bench.sidebyside;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client settings of every workload, the same for both brokers: OpenMessaging-Benchmark's producer settings
 * ({@code batch.size=65536}, {@code linger.ms=5}), otherwise kafka-clients 4.4.0 defaults except one: the producer
 * is not idempotent, for either broker. With idempotence (the client default for {@code acks=all}) Apache Kafka
 * 4.4.0 on this harness kept rejecting the 16-partition produce cells with OUT_OF_ORDER_SEQUENCE_NUMBER right after
 * the topic was created (the producer's first batches retried until {@code delivery.timeout.ms}; cf. KAFKA-15591),
 * so the cell failed; Skein accepted the same traffic. Comparing both without it keeps the workload identical.
 */
final class ClientConfigs {
    static final int BATCH_SIZE = 65536;
    static final int LINGER_MS = 5;

    private ClientConfigs() {}

    static Properties producer(String bootstrap, String acks, String compression, int timeoutSeconds) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, acks);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, BATCH_SIZE);
        props.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutSeconds * 1000L);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(120_000, timeoutSeconds * 1000));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }

    static Properties consumer(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    static Properties admin(String bootstrap, int timeoutSeconds) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutSeconds * 1000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
        return props;
    }
}
