package dev.skein.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.Purgatory;
import dev.skein.testkit.time.ManualTime;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code read_committed} fetch lists only the aborted transactions that have records in the batches it returns,
 * however many more the log holds after them: the answer (and the memory one request takes) is bounded by the slice.
 * The log here has thousands of aborted transactions over dozens of segments.
 */
class ReadCommittedFetchTest {
    private static final TopicPartition TP = new TopicPartition("aborted-many", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final long PRODUCER = 42L;
    /** Each round k: a transactional batch at 3k, its ABORT marker at 3k+1, a plain batch at 3k+2. */
    private static final int ROUNDS = 3000;

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;
    private FetchApi api;
    private PartitionLog log;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        PartitionRegistry registry =
                new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
        api = new FetchApi(Map::of, registry, new Purgatory(scheduler), new BrokerMetrics(time), 60_000);
        PartitionState state = new PartitionState(0, List.of(1), 1, 0, List.of(1), 0, 1);
        registry.apply(
                new TopicDescription(TP.topic(), TOPIC_ID, Map.of(0, state), Map.of(LogConfig.SEGMENT_BYTES, "16384")));
        log = registry.get(TP).orElseThrow().log();
        for (int k = 0; k < ROUNDS; k++) {
            log.append(
                    MemoryRecords.withTransactionalRecords(
                            Compression.NONE, PRODUCER, (short) 0, k, new SimpleRecord(1000L, null, bytes("t" + k))),
                    0);
            log.appendMarker(PRODUCER, (short) 0, 0, false, 0);
            log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1000L, null, bytes("p" + k))), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    @Test
    void theAnswerListsOnlyTheAbortedTransactionsOfTheReturnedBatches() {
        assertThat(log.numberOfSegments()).isGreaterThan(20);
        assertThat(log.lastStableOffset()).isEqualTo(3L * ROUNDS);
        assertThat(log.abortedTxns()).hasSize(ROUNDS);

        // max bytes 1: the first batch alone, the transactional batch of round 0.
        FetchResponseData.PartitionData first = fetch(0, 1);
        assertThat(offsets(first)).containsExactly(0L);
        assertThat(first.abortedTransactions()).containsExactly(aborted(0));

        // From the marker of round 1000 over ten batches: rounds 1000 (its marker is returned) to 1003.
        int batchBytes = batchBytesAt(3001);
        FetchResponseData.PartitionData middle = fetch(3001, 10 * batchBytes + batchBytes / 2);
        assertThat(offsets(middle)).first().isEqualTo(3001L);
        assertThat(middle.abortedTransactions()).containsExactlyElementsOf(expected(3001, offsets(middle)));

        // A large max bytes stops at the segment end: only that segment's transactions.
        FetchResponseData.PartitionData big = fetch(6000, 1 << 20);
        List<Long> bigOffsets = offsets(big);
        assertThat(bigOffsets.get(bigOffsets.size() - 1)).isLessThan(3L * ROUNDS - 1);
        assertThat(big.abortedTransactions()).containsExactlyElementsOf(expected(6000, bigOffsets));
        assertThat(big.abortedTransactions().size()).isLessThanOrEqualTo(bigOffsets.size());
    }

    @Test
    void aConsumerReadingInSmallStepsSeesExactlyTheCommittedRecords() {
        List<String> visible = new ArrayList<>();
        long next = 0;
        int requests = 0;
        while (next < log.lastStableOffset()) {
            FetchResponseData.PartitionData data = fetch(next, 700);
            requests++;
            assertThat(data.abortedTransactions().size())
                    .isLessThanOrEqualTo(offsets(data).size());
            // What the Java consumer does: a producer's batches are dropped from the first offset of one of its
            // aborted transactions until its ABORT marker.
            PriorityQueue<AbortedTransaction> pending =
                    new PriorityQueue<>(Comparator.comparingLong(AbortedTransaction::firstOffset));
            pending.addAll(data.abortedTransactions());
            Set<Long> abortedProducers = new HashSet<>();
            for (RecordBatch batch : batches(data)) {
                while (!pending.isEmpty() && pending.peek().firstOffset() <= batch.lastOffset()) {
                    abortedProducers.add(pending.poll().producerId());
                }
                if (batch.isControlBatch()) {
                    abortedProducers.remove(batch.producerId());
                } else if (!(batch.isTransactional() && abortedProducers.contains(batch.producerId()))) {
                    for (Record record : batch) {
                        visible.add(
                                StandardCharsets.UTF_8.decode(record.value()).toString());
                    }
                }
                next = batch.nextOffset();
            }
        }
        List<String> plain = new ArrayList<>();
        for (int k = 0; k < ROUNDS; k++) {
            plain.add("p" + k);
        }
        assertThat(visible).containsExactlyElementsOf(plain);
        assertThat(requests).isGreaterThan(ROUNDS / 10);
    }

    /** Aborted transactions of the rounds with a record among {@code returned} (those from {@code fetchOffset} on). */
    private static List<AbortedTransaction> expected(long fetchOffset, List<Long> returned) {
        long last = returned.get(returned.size() - 1);
        List<AbortedTransaction> out = new ArrayList<>();
        for (int k = 0; k < ROUNDS; k++) {
            long firstOffset = 3L * k;
            long marker = firstOffset + 1;
            if (marker >= fetchOffset && firstOffset <= last) {
                out.add(aborted(k));
            }
        }
        return out;
    }

    private static AbortedTransaction aborted(int round) {
        return new AbortedTransaction().setProducerId(PRODUCER).setFirstOffset(3L * round);
    }

    private int batchBytesAt(long offset) {
        return log.read(offset, 1, Long.MAX_VALUE, true).records().sizeInBytes();
    }

    private FetchResponseData.PartitionData fetch(long offset, int maxBytes) {
        Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
        wanted.put(TP, new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, 0L, maxBytes, Optional.empty()));
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 12, 0, 1, wanted)
                .isolationLevel(IsolationLevel.READ_COMMITTED)
                .build((short) 12);
        RequestContext context = new RequestContext(
                new RequestHeader(ApiKeys.FETCH, (short) 12, "test", 1), "test", InetAddress.getLoopbackAddress());
        FetchResponseData.PartitionData data = ((FetchResponse)
                        api.handle(context, request).join())
                .data()
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(Errors.forCode(data.errorCode())).isEqualTo(Errors.NONE);
        return data;
    }

    private static List<Long> offsets(FetchResponseData.PartitionData data) {
        List<Long> offsets = new ArrayList<>();
        for (RecordBatch batch : batches(data)) {
            for (long o = batch.baseOffset(); o <= batch.lastOffset(); o++) {
                offsets.add(o);
            }
        }
        return offsets;
    }

    private static Iterable<? extends RecordBatch> batches(FetchResponseData.PartitionData data) {
        return ((Records) data.records()).batches();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
