package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fuzzer's log invariant catches what it is meant to, and passes sound logs (compressed ones included). */
class LogScanTest {
    @TempDir
    Path dataDir;

    @Test
    void soundLogPasses() throws Exception {
        append(
                "t-0",
                0,
                batchAt(0, Compression.NONE, 3),
                batchAt(3, Compression.lz4().build(), 2));
        append("t-0", 5, batchAt(5, Compression.gzip().build(), 1));
        assertThat(LogScan.scan(dataDir, Set.of())).isEmpty();
    }

    @Test
    void countClaimingMoreRecordsThanItHoldsIsABreach() throws Exception {
        append("t-0", 0, withOffset(AbusiveRequests.claimingCount(5), 0));
        assertThat(LogScan.scan(dataDir, Set.of())).singleElement().asString().contains("records unreadable after 1");
    }

    @Test
    void gapIsABreachOutsideCompactedTopics() throws Exception {
        append("t-0", 0, batchAt(0, Compression.NONE, 1), batchAt(7, Compression.NONE, 1));
        append("c-0", 0, batchAt(0, Compression.NONE, 1), batchAt(7, Compression.NONE, 1));
        assertThat(LogScan.scan(dataDir, Set.of("c")))
                .singleElement()
                .asString()
                .contains("t-0")
                .contains("gap");
    }

    @Test
    void corruptedByteAndTornTailAreBreaches() throws Exception {
        MemoryRecords flipped = BatchBytes.editedKeepingCrc(
                batchAt(0, Compression.NONE, 1), b -> b.put(b.limit() - 1, (byte) (b.get(b.limit() - 1) ^ 1)));
        append("t-0", 0, flipped);
        MemoryRecords whole = batchAt(0, Compression.NONE, 1);
        append(
                "u-0",
                0,
                MemoryRecords.readableRecords(whole.buffer()
                        .duplicate()
                        .limit(whole.sizeInBytes() - 3)
                        .slice()));
        List<String> breaches = LogScan.scan(dataDir, Set.of());
        assertThat(breaches).hasSize(2);
        assertThat(breaches.get(0)).contains("t-0").contains("CRC mismatch");
        assertThat(breaches.get(1)).contains("u-0").contains("does not fit");
    }

    private static MemoryRecords batchAt(long baseOffset, Compression codec, int records) {
        SimpleRecord[] values = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            values[i] = new SimpleRecord(("v" + i).getBytes());
        }
        return MemoryRecords.withRecords(baseOffset, codec, values);
    }

    private static MemoryRecords withOffset(MemoryRecords records, long baseOffset) {
        ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
        copy.put(records.buffer().duplicate()).flip();
        copy.putLong(0, baseOffset);
        return MemoryRecords.readableRecords(copy);
    }

    private void append(String partition, long segmentBase, MemoryRecords... batches) throws Exception {
        Path dir = Files.createDirectories(dataDir.resolve(partition));
        Path segment = dir.resolve(String.format("%020d.log", segmentBase));
        for (MemoryRecords batch : batches) {
            ByteBuffer bytes = batch.buffer().duplicate();
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            Files.write(segment, array, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }
}
