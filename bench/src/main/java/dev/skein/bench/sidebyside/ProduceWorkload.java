package dev.skein.bench.sidebyside;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.Time;

/**
 * Produce at the maximum rate: one producer sends {@code warmup + records} records from the payload pool as fast as
 * {@code send} accepts them, round-robin over the topic's partitions (explicit partition numbers), once every
 * partition has taken one record (see {@link Topics#awaitWritable}). The measured
 * window runs from the acknowledgement of the {@code warmup}-th record to that of the last one; the broker's CPU
 * time is read at the same two moments. Fails if any record is not acknowledged.
 */
final class ProduceWorkload {
    /** A produce cell: acks, codec and partition count. */
    record Cell(String acks, String compression, int partitions) {
        String name() {
            return "produce acks=" + acks + " " + compression + " " + partitions + "p";
        }

        String id() {
            return "produce.acks-" + acks + "." + compression + ".p" + partitions;
        }
    }

    private final Time time;
    private final PayloadPool payloads;

    ProduceWorkload(Time time, PayloadPool payloads) {
        this.time = time;
        this.payloads = payloads;
    }

    Throughput run(String bootstrap, String topic, Cell cell, long warmup, long records, BrokerCpu cpu, int timeoutS)
            throws InterruptedException, ExecutionException, TimeoutException {
        Acks acks = new Acks(warmup, warmup + records, cpu);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(ClientConfigs.producer(bootstrap, cell.acks(), cell.compression(), timeoutS))) {
            long total = warmup + records;
            for (long i = 0; i < total && acks.failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, (int) (i % cell.partitions()), null, payloads.get(i)), acks);
            }
            producer.flush();
        }
        if (acks.failure.get() != null) {
            throw new IllegalStateException(cell.name() + ": a record was not acknowledged", acks.failure.get());
        }
        if (acks.acked.get() != warmup + records) {
            throw new IllegalStateException(
                    cell.name() + ": " + acks.acked.get() + " of " + (warmup + records) + " records acknowledged");
        }
        double seconds = (acks.endNanos - acks.startNanos) / 1e9;
        long bytes = records * payloads.payloadBytes();
        return new Throughput(
                records / seconds,
                bytes / (1024.0 * 1024.0) / seconds,
                BrokerCpu.perGiB(acks.endCpu - acks.startCpu, bytes));
    }

    /** Counts acknowledgements on the producer's I/O thread and marks the measured window's two ends. */
    private final class Acks implements Callback {
        private final long startAt;
        private final long endAt;
        private final BrokerCpu cpu;
        final AtomicLong acked = new AtomicLong();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        volatile long startNanos;
        volatile long endNanos;
        volatile double startCpu;
        volatile double endCpu;

        Acks(long startAt, long endAt, BrokerCpu cpu) {
            this.startAt = startAt;
            this.endAt = endAt;
            this.cpu = cpu;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                failure.compareAndSet(null, exception);
                return;
            }
            long n = acked.incrementAndGet();
            if (n == startAt) {
                startNanos = time.nanoseconds();
                startCpu = cpu.seconds();
            } else if (n == endAt) {
                endNanos = time.nanoseconds();
                endCpu = cpu.seconds();
            }
        }
    }
}
