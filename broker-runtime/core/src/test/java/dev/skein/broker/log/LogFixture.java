package dev.skein.broker.log;

import dev.skein.testkit.time.ManualTime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Shared pieces of the log tests: a manager over a temp dir, record builders and readers. */
final class LogFixture implements AutoCloseable {
    /** Scheduled tasks never fire during a test: the tests call retention and checkpoints themselves. */
    static final long NEVER_MS = 3_600_000L;

    final Path dataDir;
    final ManualTime time = new ManualTime();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    LogManager manager;

    LogFixture(Path dataDir) throws IOException {
        this.dataDir = dataDir;
        this.manager = open();
    }

    LogManager open() throws IOException {
        return LogManager.open(dataDir, time, scheduler, NEVER_MS, NEVER_MS, NEVER_MS);
    }

    /** Closes the manager cleanly and opens a new one over the same directory. */
    LogManager reopen() throws IOException {
        manager.close();
        manager = open();
        return manager;
    }

    /** Closes the manager, then marks the store as if the broker had crashed instead. */
    void closeAsCrashed() {
        manager.close();
        try (BrokerStateStore store = BrokerStateStore.open(dataDir.resolve(LogManager.STATE_FILE))) {
            store.markCleanShutdown(false);
        }
    }

    static LogConfig config(String... keyValues) {
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            overrides.put(keyValues[i], keyValues[i + 1]);
        }
        return LogConfig.of(Map.of(), overrides);
    }

    /** An uncompressed batch of {@code values}, all with timestamp {@code timestamp}. */
    static MemoryRecords batch(long timestamp, String... values) {
        return batch(Compression.NONE, timestamp, values);
    }

    static MemoryRecords batch(Compression compression, long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp, ("k" + i).getBytes(StandardCharsets.UTF_8), bytes(values[i]));
        }
        return MemoryRecords.withRecords(compression, records);
    }

    static MemoryRecords idempotentBatch(long producerId, short epoch, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1000L, null, bytes(values[i]));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, sequence, records);
    }

    /** A fresh copy, since appending rewrites the batch header in place. */
    static MemoryRecords copy(MemoryRecords records) {
        ByteBuffer dup = records.buffer().duplicate();
        ByteBuffer copy = ByteBuffer.allocate(dup.remaining());
        copy.put(dup).flip();
        return MemoryRecords.readableRecords(copy);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The raw bytes of fetched records. */
    static byte[] toBytes(Records records) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(records.sizeInBytes());
        for (RecordBatch batch : records.batches()) {
            batch.writeTo(buffer);
        }
        return buffer.array();
    }

    /** The bytes of in-memory records, without touching their buffer's position. */
    static byte[] toBytesUnchecked(MemoryRecords records) {
        ByteBuffer dup = records.buffer().duplicate();
        byte[] out = new byte[dup.remaining()];
        dup.get(out);
        return out;
    }

    /** (offset, value) of every record in the fetched records. */
    static List<String> offsetsAndValues(Records records) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record r : batch) {
                byte[] v = new byte[r.valueSize()];
                r.value().get(v);
                out.add(r.offset() + ":" + new String(v, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    /** Base offsets of the fetched batches. */
    static List<Long> baseOffsets(Records records) {
        List<Long> out = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            out.add(batch.baseOffset());
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
        scheduler.shutdownNow();
    }
}
