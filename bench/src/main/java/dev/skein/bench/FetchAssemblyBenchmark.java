package dev.skein.bench;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.network.GatheringTransferableChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The broker's fetch path for one partition, without the network: {@code PartitionLog.read} of up to 1 MiB (the
 * consumer's default {@code max.partition.fetch.bytes}) from a cycling offset in a 64 MiB log in the page cache,
 * the {@code FetchResponseData.PartitionData} that {@code FetchApi} builds around the file slice, the
 * {@code FetchResponse} and its {@code toSend} (header and metadata serialized, records left as a file region) —
 * {@link #assemble}; and the same plus writing the whole {@code Send} to {@code /dev/null}, the records with
 * {@code sendfile(2)} — {@link #assembleAndWrite}. Mirrors {@code FetchApi.readPartition}/{@code respond}, which
 * need a whole broker to call. Score: fetch responses per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class FetchAssemblyBenchmark extends JmhDefaults {
    private static final int LOG_BYTES = 64 * 1024 * 1024;
    private static final int MAX_BYTES = 1024 * 1024;
    private static final short VERSION = ApiKeys.FETCH.latestVersion();

    private BenchLog benchLog;
    private PartitionLog log;
    private TopicIdPartition partition;
    private ResponseHeader header;
    private FileChannel devNull;
    private GatheringTransferableChannel sink;
    private long offset;

    @Setup(Level.Trial)
    public void fill() throws IOException {
        benchLog = BenchLog.open(Map.of(LogConfig.SEGMENT_BYTES, Integer.toString(128 * 1024 * 1024)));
        log = benchLog.log();
        ByteBuffer batch = RecordBatches.batch(RecordBatches.textValues(64, 1024, 3L), Compression.NONE);
        while (log.sizeInBytes() < LOG_BYTES) {
            log.append(MemoryRecords.readableRecords(batch.duplicate()), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        partition = new TopicIdPartition(Uuid.randomUuid(), 0, "bench");
        header = new RequestHeader(ApiKeys.FETCH, VERSION, "bench", 1).toResponseHeader();
        devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
        sink = new GatheringTransferableChannel(devNull);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        devNull.close();
        benchLog.close();
    }

    @Benchmark
    public Send assemble() {
        return nextResponse();
    }

    @Benchmark
    public long assembleAndWrite() throws IOException {
        Send send = nextResponse();
        long written = 0;
        while (!send.completed()) {
            written += send.writeTo(sink);
        }
        return written;
    }

    private Send nextResponse() {
        PartitionLog.FetchSlice slice = log.read(offset, MAX_BYTES, log.highWatermark(), true);
        offset += 15 * 64;
        if (offset >= log.highWatermark() - 16 * 64) {
            offset = 0;
        }
        long hw = log.highWatermark();
        FetchResponseData.PartitionData data = new FetchResponseData.PartitionData()
                .setPartitionIndex(partition.partition())
                .setHighWatermark(hw)
                .setLastStableOffset(hw)
                .setLogStartOffset(log.logStartOffset())
                .setRecords(slice.records());
        LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> parts = new LinkedHashMap<>();
        parts.put(partition, data);
        FetchResponse response = FetchResponse.of(Errors.NONE, 0, FetchMetadata.INVALID_SESSION_ID, parts, List.of());
        return response.toSend(header, VERSION);
    }
}
