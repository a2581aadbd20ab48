package dev.skein.bench.sidebyside;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * Consume at the maximum rate: one consumer {@code assign()}s every partition of a topic that was filled before
 * and reads everything up to the end offsets it finds at the start (consumer defaults otherwise), checking that
 * each partition's offsets arrive once and in order and that every value has the pool's size. The measured window
 * runs from the poll that passed the {@code warmup}-th record to the one that delivered the last, and counts the
 * records delivered in between; the broker's CPU time is read at the same moments. Fails if nothing new arrives for {@code timeoutS}.
 */
final class ConsumeWorkload {
    private final Time time;
    private final int valueSize;

    ConsumeWorkload(Time time, int valueSize) {
        this.time = time;
        this.valueSize = valueSize;
    }

    Throughput run(String bootstrap, String topic, int partitions, long warmup, BrokerCpu cpu, int timeoutS) {
        return run(bootstrap, topic, partitions, warmup, cpu, timeoutS, -1);
    }

    /**
     * Like {@link #run(String, String, int, long, BrokerCpu, int)}, with {@code isolation.level=read_committed} when
     * {@code committedRecords >= 0}: the topic holds that many committed records among transaction markers, so offsets
     * must only increase (markers take offsets) and the end is that count, not the sum of the end offsets.
     */
    Throughput run(
            String bootstrap,
            String topic,
            int partitions,
            long warmup,
            BrokerCpu cpu,
            int timeoutS,
            long committedRecords) {
        boolean readCommitted = committedRecords >= 0;
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(topic, p));
        }
        long[] nextOffset = new long[partitions];
        long seen = 0;
        long total;
        long startNanos = 0;
        double startCpu = 0;
        long seenAtStart = 0;
        long endNanos = 0;
        double endCpu = 0;
        Properties config = ClientConfigs.consumer(bootstrap);
        if (readCommitted) {
            config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            total = 0;
            for (long end :
                    consumer.endOffsets(assigned, Duration.ofSeconds(timeoutS)).values()) {
                total += end;
            }
            if (readCommitted) {
                total = committedRecords;
            }
            if (total <= warmup) {
                throw new IllegalStateException(topic + " holds " + total + " records, not more than the warm-up");
            }
            long lastProgress = time.nanoseconds();
            long timeoutNs = TimeUnit.SECONDS.toNanos(timeoutS);
            while (seen < total) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    int p = record.partition();
                    boolean inOrder =
                            readCommitted ? record.offset() >= nextOffset[p] : record.offset() == nextOffset[p];
                    if (!inOrder || record.value().length != valueSize) {
                        throw new IllegalStateException("Partition " + p + ": expected offset " + nextOffset[p]
                                + " of " + valueSize + " bytes, got offset " + record.offset() + " of "
                                + record.value().length + " bytes");
                    }
                    nextOffset[p] = record.offset() + 1;
                }
                long before = seen;
                seen += batch.count();
                long now = time.nanoseconds();
                if (before < warmup && seen >= warmup) {
                    startNanos = now;
                    startCpu = cpu.seconds();
                    seenAtStart = seen;
                }
                if (seen == total) {
                    endNanos = now;
                    endCpu = cpu.seconds();
                }
                if (seen > before) {
                    lastProgress = now;
                } else if (now - lastProgress > timeoutNs) {
                    throw new IllegalStateException(
                            "Consumed " + seen + " of " + total + " records; nothing new for " + timeoutS + " s");
                }
            }
        }
        if (seen != total) {
            throw new IllegalStateException("Consumed " + seen + " records, expected " + total);
        }
        double seconds = (endNanos - startNanos) / 1e9;
        long measured = total - seenAtStart;
        long bytes = measured * valueSize;
        return new Throughput(
                measured / seconds, bytes / (1024.0 * 1024.0) / seconds, BrokerCpu.perGiB(endCpu - startCpu, bytes));
    }
}
