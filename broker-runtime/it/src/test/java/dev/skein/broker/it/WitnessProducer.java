package dev.skein.broker.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A well-behaved client running beside the fuzzer: a real {@link KafkaProducer} (acks=all, idempotent) writing
 * numbered records to one partition of {@value #TOPIC}, one at a time, remembering each acknowledged offset. {@link
 * #verify} reads everything acknowledged since the last check back with a real consumer and reports records missing
 * or different at their offsets. {@link #pause()} waits for the in-flight send so the log is quiescent for a scan.
 */
final class WitnessProducer implements AutoCloseable {
    static final String TOPIC = "fuzz-witness";

    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final NavigableMap<Long, String> acked = new ConcurrentSkipListMap<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Object gate = new Object();
    private final Thread thread;
    private boolean paused;
    private boolean sending;
    private volatile boolean running = true;
    private long verifiedUpTo = -1;

    WitnessProducer(BrokerHarness harness) {
        producer = harness.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                10_000));
        consumer = harness.consumer(Map.of());
        thread = new Thread(this::run, "fuzz-witness-producer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long n = 0;
        while (running) {
            synchronized (gate) {
                while (paused && running) {
                    try {
                        gate.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                sending = true;
            }
            String value = "witness-" + n++;
            try {
                long offset = producer.send(
                                new ProducerRecord<>(TOPIC, 0, null, value.getBytes(StandardCharsets.UTF_8)))
                        .get(30, TimeUnit.SECONDS)
                        .offset();
                acked.put(offset, value);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failure.compareAndSet(null, "acks=all send of " + value + " failed: " + e);
            } finally {
                synchronized (gate) {
                    sending = false;
                    gate.notifyAll();
                }
            }
        }
    }

    /** Blocks new sends and waits for the one in flight. */
    void pause() throws InterruptedException {
        synchronized (gate) {
            paused = true;
            while (sending) {
                gate.wait();
            }
        }
    }

    void resume() {
        synchronized (gate) {
            paused = false;
            gate.notifyAll();
        }
    }

    long ackedCount() {
        return acked.size();
    }

    /** Breaches since the last call: a failed send, or an acknowledged record not readable at its offset. */
    List<String> verify() {
        List<String> breaches = new ArrayList<>();
        String failed = failure.getAndSet(null);
        if (failed != null) {
            breaches.add(failed);
        }
        NavigableMap<Long, String> pending = acked.tailMap(verifiedUpTo, false);
        if (pending.isEmpty()) {
            return breaches;
        }
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        consumer.assign(List.of(tp));
        consumer.seek(tp, pending.firstKey());
        long last = pending.lastKey();
        Map<Long, String> found = new java.util.HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long position = pending.firstKey();
        while (position <= last && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                found.put(record.offset(), new String(record.value(), StandardCharsets.UTF_8));
                position = record.offset() + 1;
            }
        }
        for (Map.Entry<Long, String> entry : pending.entrySet()) {
            String read = found.get(entry.getKey());
            if (!entry.getValue().equals(read)) {
                breaches.add(
                        "acknowledged " + entry.getValue() + " at offset " + entry.getKey() + " reads back as " + read);
            }
        }
        verifiedUpTo = last;
        return breaches;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        resume();
        thread.join(TimeUnit.SECONDS.toMillis(40));
    }
}
