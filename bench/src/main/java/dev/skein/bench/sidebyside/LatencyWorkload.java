package dev.skein.bench.sidebyside;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * End-to-end latency at a fixed rate, free of coordinated omission: record {@code i} has the intended send time
 * {@code start + i / rate}; the producer sends it at that time or, if it has fallen behind (a blocked
 * {@code send}), as soon as it can, but always stamps the <em>intended</em> time (harness {@code System.nanoTime},
 * first 8 bytes of the value). A consumer in the same JVM, polling the one-partition topic, takes latency = the
 * poll's return time − the intended send time. Records intended in the first {@code warmupSeconds} are not
 * counted. Producer: {@code acks=all}, no compression. Fails unless every record arrives exactly once.
 */
final class LatencyWorkload {
    /** Latency percentiles in milliseconds. */
    record Result(double p50, double p99, double p999, double max, long counted) {}

    private final Time time;
    private final PayloadPool payloads;

    LatencyWorkload(Time time, PayloadPool payloads) {
        this.time = time;
        this.payloads = payloads;
    }

    Result run(String bootstrap, String topic, int rate, int warmupSeconds, int seconds, int timeoutS)
            throws InterruptedException, ExecutionException, TimeoutException {
        return run(bootstrap, topic, topic, false, rate, warmupSeconds, seconds, timeoutS);
    }

    /**
     * The latency of one exactly-once hop ({@link TxnHop}) from {@code source} to {@code target}: the producer writes
     * {@code source}, a {@code read_committed} consumer of {@code target} takes the latency.
     */
    Result runThroughHop(
            String bootstrap, String source, String target, int rate, int warmupSeconds, int seconds, int timeoutS)
            throws InterruptedException, ExecutionException, TimeoutException {
        // Before the hop takes its position: these records must not reach the latency consumer.
        Topics.awaitWritable(bootstrap, source, 1, payloads.get(0), timeoutS);
        Topics.awaitWritable(bootstrap, target, 1, payloads.get(0), timeoutS);
        TxnHop hop = new TxnHop(bootstrap, source, target, timeoutS);
        AtomicReference<Throwable> hopFailure = new AtomicReference<>();
        Thread hopThread = new Thread(
                () -> {
                    try {
                        hop.run();
                    } catch (RuntimeException | Error e) {
                        hopFailure.set(e);
                        hop.ready.countDown();
                    }
                },
                "txn-hop");
        hopThread.start();
        try {
            if (!hop.ready.await(timeoutS, TimeUnit.SECONDS) || hopFailure.get() != null) {
                throw new IllegalStateException("The transactional hop did not start", hopFailure.get());
            }
            return run(bootstrap, source, target, true, rate, warmupSeconds, seconds, timeoutS);
        } finally {
            hop.stop();
            hopThread.join(TimeUnit.SECONDS.toMillis(timeoutS));
            if (hopFailure.get() != null) {
                throw new IllegalStateException("The transactional hop failed", hopFailure.get());
            }
        }
    }

    private Result run(
            String bootstrap,
            String source,
            String topic,
            boolean readCommitted,
            int rate,
            int warmupSeconds,
            int seconds,
            int timeoutS)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (!readCommitted) {
            Topics.awaitWritable(bootstrap, source, 1, payloads.get(0), timeoutS);
        }
        long total = (long) rate * (warmupSeconds + seconds);
        long intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
        LatencyRecorder recorder = new LatencyRecorder((int) Math.min(Integer.MAX_VALUE - 8, (long) rate * seconds));
        AtomicReference<Throwable> consumerFailure = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        Consumer consumer =
                new Consumer(bootstrap, new TopicPartition(topic, 0), readCommitted, total, recorder, stop, timeoutS);
        Thread consumerThread = new Thread(
                () -> {
                    try {
                        consumer.run();
                    } catch (RuntimeException | Error e) {
                        consumerFailure.set(e);
                    }
                },
                "latency-consumer");
        consumerThread.start();
        try {
            if (!consumer.ready.await(timeoutS, TimeUnit.SECONDS)) {
                throw new TimeoutException("The latency consumer did not get its position within " + timeoutS + " s");
            }
            long start = time.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(10);
            consumer.measureFrom = start + TimeUnit.SECONDS.toNanos(warmupSeconds);
            produce(bootstrap, source, start, intervalNs, total, timeoutS, stop);
            consumerThread.join(TimeUnit.SECONDS.toMillis(timeoutS));
        } finally {
            stop.set(true);
            consumerThread.join(TimeUnit.SECONDS.toMillis(timeoutS));
        }
        if (consumerFailure.get() != null) {
            throw new IllegalStateException("Latency consumer failed", consumerFailure.get());
        }
        if (consumer.received != total) {
            throw new IllegalStateException("Latency consumer received " + consumer.received + " of " + total);
        }
        return new Result(
                recorder.percentile(0.50) / 1e6,
                recorder.percentile(0.99) / 1e6,
                recorder.percentile(0.999) / 1e6,
                recorder.max() / 1e6,
                recorder.count());
    }

    private void produce(
            String bootstrap, String topic, long start, long intervalNs, long total, int timeoutS, AtomicBoolean stop)
            throws InterruptedException, ExecutionException, TimeoutException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Future<?> last = null;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ClientConfigs.producer(bootstrap, "all", "none", timeoutS))) {
            for (long i = 0; i < total && failure.get() == null && !stop.get(); i++) {
                long intended = start + i * intervalNs;
                long wait;
                while ((wait = intended - time.nanoseconds()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                byte[] value = payloads.get(i).clone();
                ByteBuffer.wrap(value).putLong(0, intended);
                last = producer.send(new ProducerRecord<>(topic, 0, null, value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("A latency record was not acknowledged", failure.get());
        }
        if (last != null) {
            last.get(timeoutS, TimeUnit.SECONDS);
        }
    }

    /** Polls the topic from its end at the start until {@code total} records arrived; records the latency of measured ones. */
    private final class Consumer {
        private final String bootstrap;
        private final TopicPartition partition;
        private final boolean readCommitted;
        private final long total;
        private final LatencyRecorder recorder;
        private final AtomicBoolean stop;
        private final int timeoutS;
        final CountDownLatch ready = new CountDownLatch(1);
        volatile long measureFrom = Long.MAX_VALUE;
        volatile long received;

        Consumer(
                String bootstrap,
                TopicPartition partition,
                boolean readCommitted,
                long total,
                LatencyRecorder recorder,
                AtomicBoolean stop,
                int timeoutS) {
            this.bootstrap = bootstrap;
            this.partition = partition;
            this.readCommitted = readCommitted;
            this.total = total;
            this.recorder = recorder;
            this.stop = stop;
            this.timeoutS = timeoutS;
        }

        void run() {
            Properties config = ClientConfigs.consumer(bootstrap);
            if (readCommitted) {
                config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            }
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
                consumer.assign(List.of(partition));
                consumer.seekToEnd(List.of(partition));
                consumer.position(partition, Duration.ofSeconds(timeoutS));
                ready.countDown();
                long expectedOffset = consumer.position(partition);
                long count = 0;
                long lastProgress = time.nanoseconds();
                while (count < total && !stop.get()) {
                    ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
                    long now = time.nanoseconds();
                    long from = measureFrom;
                    for (ConsumerRecord<byte[], byte[]> record : batch) {
                        // Transaction markers take offsets: a read_committed reader sees gaps, never a step back.
                        if (readCommitted ? record.offset() < expectedOffset : record.offset() != expectedOffset) {
                            throw new IllegalStateException(
                                    "Expected offset " + expectedOffset + ", got " + record.offset());
                        }
                        expectedOffset = record.offset() + 1;
                        long intended = ByteBuffer.wrap(record.value()).getLong(0);
                        if (intended >= from) {
                            recorder.record(now - intended);
                        }
                    }
                    count += batch.count();
                    received = count;
                    if (!batch.isEmpty()) {
                        lastProgress = now;
                    } else if (now - lastProgress > TimeUnit.SECONDS.toNanos(timeoutS)) {
                        throw new IllegalStateException(
                                "Received " + count + " of " + total + "; nothing new for " + timeoutS + " s");
                    }
                }
            }
        }
    }
}
