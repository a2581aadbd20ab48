package dev.skein.broker.log;

import static dev.skein.broker.log.CompactionFixture.latestValues;
import static dev.skein.broker.log.CompactionFixture.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.CompactionFixture.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanerConcurrencyTest {
    private static final TopicPartition TP = new TopicPartition("busy", 0);

    @TempDir
    Path dataDir;

    @Test
    void readersSeeConsistentDataWhileTheCleanerReplacesSegments() throws Exception {
        // Replaced segments stay open for the default file.delete.delay.ms, as in-flight fetches need.
        LogConfig cfg = LogConfig.of(
                Map.of(),
                Map.of(
                        LogConfig.CLEANUP_POLICY, "compact",
                        LogConfig.SEGMENT_BYTES, "2048",
                        LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01"));
        CompactionFixture records = new CompactionFixture();
        Map<Long, Entry> byOffset = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log = fx.manager.getOrCreate(TP, cfg);
            appendRound(log, records, byOffset, fx, 0);
            PartitionLog.FetchSlice heldSlice = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            List<Entry> heldEntries = entries(heldSlice);

            Future<Integer> reader = readers.submit(() -> {
                int views = 0;
                while (!done.get() || views == 0) {
                    checkView(log, byOffset);
                    views++;
                }
                return views;
            });
            for (int round = 1; round <= 8; round++) {
                fx.manager.cleaner().cleanDirtiest();
                appendRound(log, records, byOffset, fx, round);
            }
            fx.manager.cleaner().cleanDirtiest().orElseThrow();
            done.set(true);

            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
            assertThat(entries(heldSlice))
                    .as("a slice of a replaced segment stays readable until the delayed delete")
                    .isEqualTo(heldEntries);
            assertThat(latestValues(readAll(log))).isEqualTo(latestValues(records.appended()));
        } finally {
            readers.shutdownNow();
        }
    }

    /**
     * Reads the log up to its high watermark, re-read after every fetch: every record must be the one appended at its
     * offset, and the latest value of each key below the point reached must be the latest appended there — a clean
     * that dropped a record the reader had not reached yet kept a newer one of its key before that point.
     */
    private static void checkView(PartitionLog log, Map<Long, Entry> byOffset) {
        List<Entry> view = new ArrayList<>();
        long next = 0;
        while (next < log.highWatermark()) {
            PartitionLog.FetchSlice slice = log.read(next, 64 * 1024, log.highWatermark(), true);
            List<Entry> fetched = entries(slice);
            view.addAll(fetched);
            long before = next;
            for (RecordBatch batch : slice.records().batches()) {
                next = batch.nextOffset();
            }
            assertThat(next).isGreaterThan(before);
        }
        long end = next;
        for (Entry e : view) {
            assertThat(byOffset.get(e.offset())).isEqualTo(e);
        }
        List<Entry> appendedBelowEnd = byOffset.values().stream()
                .filter(e -> e.offset() < end)
                .sorted(Comparator.comparingLong(Entry::offset))
                .toList();
        List<Entry> viewBelowEnd = view.stream().filter(e -> e.offset() < end).toList();
        assertThat(latestValues(viewBelowEnd)).isEqualTo(latestValues(appendedBelowEnd));
    }

    private static void appendRound(
            PartitionLog log, CompactionFixture records, Map<Long, Entry> byOffset, LogFixture fx, int round) {
        for (int i = 0; i < 150; i++) {
            records.append(log, Compression.NONE, fx.time.milliseconds(), "k" + (i % 20), "r" + round + "." + i);
        }
        for (Entry e : records.appended()) {
            byOffset.putIfAbsent(e.offset(), e);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    private static List<Entry> entries(PartitionLog.FetchSlice slice) {
        List<Entry> out = new ArrayList<>();
        for (RecordBatch batch : slice.records().batches()) {
            batch.ensureValid();
            for (Record r : batch) {
                byte[] k = new byte[r.keySize()];
                r.key().duplicate().get(k);
                byte[] v = new byte[r.valueSize()];
                r.value().duplicate().get(v);
                out.add(new Entry(r.offset(), new String(k), new String(v)));
            }
        }
        return out;
    }
}
