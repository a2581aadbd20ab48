package dev.skein.broker.fault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The fault suite's workload, two threads against the cluster:
 *
 * <ul>
 *   <li>an idempotent acks=all producer over {@value #KEYS} keys; value {@code key:seq:id} (seq counts per key, id is
 *       globally unique); every acknowledged record is kept as an {@link Ack} with its partition and offset;
 *   <li>a consumer in group {@value #GROUP} that commits after every poll, keeps every (partition, offset) → value it
 *       read, and on each assignment compares the position it resumes from with the highest offset it had
 *       successfully committed (a lower one means an acknowledged commit went backwards).
 * </ul>
 *
 * Violations seen while running (one offset read with two values, a committed offset going backwards, two acks of
 * one offset) are collected in {@link #violations()}.
 */
final class Workload implements FaultSchedule.Progress, AutoCloseable {
    static final int KEYS = 12;
    static final String GROUP = "fault-checker";

    /** One acknowledged record: when it was sent and acknowledged (nanoTime), and where it landed. */
    record Ack(int key, long seq, String value, int partition, long offset, long sentNanos, long ackedNanos) {}

    private final String topic;
    private final String bootstrap;
    private final List<Ack> acks = new ArrayList<>(); // guarded by itself; appended in acknowledgement order
    private final Map<TopicPartition, Map<Long, String>> observed = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<String, String> ackedAt = new ConcurrentHashMap<>();
    private final AtomicLong failedSends = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final Thread producerThread;
    private final Thread consumerThread;
    private volatile boolean running = true;

    Workload(String topic, String bootstrap) {
        this.topic = topic;
        this.bootstrap = bootstrap;
        this.producerThread = new Thread(this::produceLoop, "fault-producer");
        this.consumerThread = new Thread(this::consumeLoop, "fault-consumer");
        producerThread.start();
        consumerThread.start();
    }

    List<Ack> acks() {
        synchronized (acks) {
            return List.copyOf(acks);
        }
    }

    @Override
    public long ackCount() {
        synchronized (acks) {
            return acks.size();
        }
    }

    /** The earliest acknowledgement (nanoTime) of a record sent at or after {@code sinceNanos} to one of the partitions, or -1. */
    @Override
    public long firstAckSentAfter(long sinceNanos, Collection<Integer> partitions) {
        long first = -1;
        synchronized (acks) {
            // Acknowledged after it was sent, so scanning back from the newest can stop at the first older ack.
            for (int i = acks.size() - 1; i >= 0 && acks.get(i).ackedNanos() >= sinceNanos; i--) {
                Ack ack = acks.get(i);
                if (ack.sentNanos() >= sinceNanos && partitions.contains(ack.partition())) {
                    first = ack.ackedNanos();
                }
            }
        }
        return first;
    }

    Map<TopicPartition, Map<Long, String>> observed() {
        return observed;
    }

    /** The highest offset successfully committed per partition. */
    Map<TopicPartition, Long> committed() {
        return Map.copyOf(committed);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    long failedSends() {
        return failedSends.get();
    }

    long commits() {
        return commits.get();
    }

    private void produceLoop() {
        long[] seqs = new long[KEYS];
        long id = 0;
        Semaphore inFlight = new Semaphore(256);
        KafkaProducer<byte[], byte[]> producer = producer();
        try {
            while (running) {
                inFlight.acquire();
                int key = (int) (id % KEYS);
                long seq = seqs[key]++;
                String value = key + ":" + seq + ":" + id++;
                long sent = System.nanoTime();
                try {
                    producer.send(new ProducerRecord<>(topic, bytes("k" + key), bytes(value)), (meta, error) -> {
                        inFlight.release();
                        if (error != null) {
                            failedSends.incrementAndGet();
                            return;
                        }
                        recordAck(new Ack(key, seq, value, meta.partition(), meta.offset(), sent, System.nanoTime()));
                    });
                } catch (KafkaException e) {
                    inFlight.release();
                    failedSends.incrementAndGet();
                    producer.close(Duration.ZERO);
                    producer = producer();
                }
                if (id % 8 == 0) {
                    Thread.sleep(10); // at most ~800 records/s at most: leaves the 2 cores to the brokers
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close(Duration.ofSeconds(40));
        }
    }

    private void recordAck(Ack ack) {
        String where = ack.partition() + "@" + ack.offset();
        String before = ackedAt.putIfAbsent(where, ack.value());
        if (before != null) {
            violations.add("offset " + where + " acknowledged twice: " + before + " and " + ack.value());
        }
        synchronized (acks) {
            acks.add(ack);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 4000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
        props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        return new KafkaProducer<>(props);
    }

    private void consumeLoop() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        while (running) {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(List.of(topic), new ResumeCheck(consumer));
                while (running) {
                    pollAndCommit(consumer);
                }
            } catch (KafkaException e) {
                // A timeout or a failed rebalance under a fault: a fresh consumer rejoins the group.
            }
        }
    }

    private void pollAndCommit(KafkaConsumer<byte[], byte[]> consumer) {
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            String value = new String(record.value(), StandardCharsets.UTF_8);
            String before =
                    observed.computeIfAbsent(tp, t -> new ConcurrentHashMap<>()).putIfAbsent(record.offset(), value);
            if (before != null && !before.equals(value)) {
                violations.add("consumer read offset " + tp + "@" + record.offset() + " as " + before + " and later as "
                        + value);
            }
            positions.put(tp, new OffsetAndMetadata(record.offset() + 1));
        }
        if (positions.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(positions, Duration.ofSeconds(5));
        } catch (KafkaException e) {
            return; // not acknowledged: nothing is known about it
        }
        commits.incrementAndGet();
        positions.forEach((tp, offset) -> committed.merge(tp, offset.offset(), Math::max));
    }

    /** On every assignment: the position a partition resumes from must not be below the highest acknowledged commit. */
    private final class ResumeCheck implements ConsumerRebalanceListener {
        private final KafkaConsumer<byte[], byte[]> consumer;

        ResumeCheck(KafkaConsumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> stored =
                    consumer.committed(new java.util.HashSet<>(partitions), Duration.ofSeconds(10));
            for (TopicPartition tp : partitions) {
                Long acknowledged = committed.get(tp);
                OffsetAndMetadata now = stored.get(tp);
                if (acknowledged != null && (now == null || now.offset() < acknowledged)) {
                    violations.add("committed offset of " + tp + " went backwards: acknowledged " + acknowledged
                            + ", the group coordinator now answers " + now);
                }
            }
        }
    }

    /** Stops producing (waiting for the outstanding sends) and consuming. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        producerThread.join(TimeUnit.SECONDS.toMillis(60));
        consumerThread.join(TimeUnit.SECONDS.toMillis(30));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
