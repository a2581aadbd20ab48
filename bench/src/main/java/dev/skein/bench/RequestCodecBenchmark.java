package dev.skein.bench;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Request decode and response encode of Produce and Fetch, as Skein's {@code RequestDispatcher} does them with
 * kafka-clients' message classes: {@code RequestHeader.parse} then {@code AbstractRequest.parseRequest} of a framed
 * request (size prefix already stripped), and {@code AbstractResponse.toSend}. The Produce request carries one
 * 64-record, 1 KiB-per-record uncompressed batch per partition (records are sliced, not copied, by the parser); the
 * Fetch response carries the same batch per partition as in-memory records. Latest versions of both APIs (topic ids).
 * Score: microseconds per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class RequestCodecBenchmark extends JmhDefaults {
    private static final short PRODUCE_VERSION = ApiKeys.PRODUCE.latestVersion();
    private static final short FETCH_VERSION = ApiKeys.FETCH.latestVersion();

    @Param({"1", "16"})
    public int partitions;

    private ByteBuffer produceFrame;
    private ByteBuffer fetchFrame;
    private ProduceResponse produceResponse;
    private FetchResponse fetchResponse;
    private ResponseHeader produceHeader;
    private ResponseHeader fetchHeader;

    @Setup(Level.Trial)
    public void build() {
        Uuid topicId = Uuid.randomUuid();
        ByteBuffer batch = RecordBatches.batch(RecordBatches.textValues(64, 1024, 5L), Compression.NONE);

        ProduceRequestData.TopicProduceData topic =
                new ProduceRequestData.TopicProduceData().setName("bench").setTopicId(topicId);
        for (int p = 0; p < partitions; p++) {
            topic.partitionData()
                    .add(new ProduceRequestData.PartitionProduceData()
                            .setIndex(p)
                            .setRecords(MemoryRecords.readableRecords(batch.duplicate())));
        }
        ProduceRequestData produce = new ProduceRequestData()
                .setAcks((short) -1)
                .setTimeoutMs(30_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(
                        List.of(topic).iterator()));
        RequestHeader produceRequestHeader = new RequestHeader(ApiKeys.PRODUCE, PRODUCE_VERSION, "bench", 7);
        produceFrame = ProduceRequest.builder(produce).build(PRODUCE_VERSION).serializeWithHeader(produceRequestHeader);
        produceHeader = produceRequestHeader.toResponseHeader();

        Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
        Map<TopicIdPartition, ProduceResponse.PartitionResponse> produced = new LinkedHashMap<>();
        LinkedHashMap<TopicIdPartition, FetchResponseData.PartitionData> fetched = new LinkedHashMap<>();
        for (int p = 0; p < partitions; p++) {
            TopicIdPartition tip = new TopicIdPartition(topicId, p, "bench");
            wanted.put(
                    tip.topicPartition(),
                    new FetchRequest.PartitionData(topicId, 64L * p, -1L, 1024 * 1024, Optional.of(0)));
            produced.put(tip, new ProduceResponse.PartitionResponse(Errors.NONE, 64L * p, -1L, 0L));
            fetched.put(
                    tip,
                    new FetchResponseData.PartitionData()
                            .setPartitionIndex(p)
                            .setHighWatermark(1_000_000)
                            .setLastStableOffset(1_000_000)
                            .setLogStartOffset(0)
                            .setRecords(MemoryRecords.readableRecords(batch.duplicate())));
        }
        RequestHeader fetchRequestHeader = new RequestHeader(ApiKeys.FETCH, FETCH_VERSION, "bench", 8);
        fetchFrame = FetchRequest.Builder.forConsumer(FETCH_VERSION, 500, 1, wanted)
                .build(FETCH_VERSION)
                .serializeWithHeader(fetchRequestHeader);
        fetchHeader = fetchRequestHeader.toResponseHeader();
        produceResponse = new ProduceResponse(produced);
        fetchResponse = FetchResponse.of(Errors.NONE, 0, FetchMetadata.INVALID_SESSION_ID, fetched, List.of());
    }

    @Benchmark
    public AbstractRequest decodeProduce() {
        return decode(produceFrame.duplicate());
    }

    @Benchmark
    public Send encodeProduceResponse() {
        return produceResponse.toSend(produceHeader, PRODUCE_VERSION);
    }

    @Benchmark
    public AbstractRequest decodeFetch() {
        return decode(fetchFrame.duplicate());
    }

    @Benchmark
    public Send encodeFetchResponse() {
        return fetchResponse.toSend(fetchHeader, FETCH_VERSION);
    }

    private static AbstractRequest decode(ByteBuffer frame) {
        RequestHeader header = RequestHeader.parse(frame);
        return AbstractRequest.parseRequest(header.apiKey(), header.apiVersion(), new ByteBufferAccessor(frame))
                .request;
    }
}
