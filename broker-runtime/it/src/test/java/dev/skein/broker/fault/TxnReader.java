package dev.skein.broker.fault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A {@code read_committed} reader that runs alongside the {@link TxnWorkload} through the faults (assigned every
 * partition, no group). It keeps, for every value it reads, where it read it and when ({@link Seen}); a value read at
 * two positions is a violation right away. The rest is judged at the end by {@link TxnChecker}: a value read before
 * its transaction's commit was even requested, or of a transaction that was aborted, means the last stable offset
 * exposed undecided or aborted data.
 */
final class TxnReader implements AutoCloseable {
    /** Where and when (nanoTime, after the poll returned) a value was read. */
    record Seen(int partition, long offset, long nanos) {}

    private final String topic;
    private final int partitions;
    private final String bootstrap;
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int restarts;

    TxnReader(String topic, int partitions, String bootstrap) {
        this.topic = topic;
        this.partitions = partitions;
        this.bootstrap = bootstrap;
        this.thread = new Thread(this::readLoop, "txn-reader");
        thread.start();
    }

    Map<String, Seen> seen() {
        return seen;
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    int restarts() {
        return restarts;
    }

    static Properties consumerProps(String bootstrap, boolean committedOnly) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1000);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return props;
    }

    private void readLoop() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        while (running) {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap, true))) {
                consumer.assign(tps);
                for (TopicPartition tp : tps) {
                    Long position = positions.get(tp);
                    if (position == null) {
                        consumer.seekToBeginning(List.of(tp));
                    } else {
                        consumer.seek(tp, position);
                    }
                }
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        read(record, System.nanoTime());
                        positions.put(new TopicPartition(topic, record.partition()), record.offset() + 1);
                    }
                }
            } catch (KafkaException e) {
                restarts++; // a fresh consumer resumes after the last value read
            }
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> record, long nanos) {
        String value = new String(record.value(), StandardCharsets.UTF_8);
        Seen now = new Seen(record.partition(), record.offset(), nanos);
        Seen before = seen.putIfAbsent(value, now);
        if (before != null && (before.partition() != now.partition() || before.offset() != now.offset())) {
            violations.add("read_committed reader read " + value + " twice: at " + before.partition() + "@"
                    + before.offset() + " and at " + now.partition() + "@" + now.offset());
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }
}
