package dev.skein.broker.it;

import dev.skein.broker.it.FuzzConnection.Result;
import dev.skein.broker.it.FuzzInputs.Input;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * A seeded, structure-aware fuzzing campaign against one in-JVM broker ({@link BrokerHarness}) over real sockets:
 * {@code connections} workers send inputs {@code 0..inputs-1} of {@link FuzzInputs} (every API and version the broker
 * advertises), each answered or its connection closed within {@code boundMs} or it is a <em>hang</em> finding (unless
 * the request itself asks the broker to wait, see {@link FuzzInputs#mayWaitPast}). A {@link WitnessProducer} writes
 * beside them; after every batch the workers and the witness stop and {@link BrokerInvariants} plus the witness's
 * read-back are checked; new breaches are <em>invariant</em> findings naming the batch. The campaign stops early if
 * the broker no longer answers a fresh ApiVersions or after a batch that brought the findings to {@code maxFindings}
 * (each hang costs two bounds of waiting, so a broken broker would otherwise take hours). Deterministic inputs; the interleaving of workers is not.
 */
final class FuzzCampaign {
    static final int NETWORK_THREADS = 2;
    static final int IO_THREADS = 4;

    /** How to run. */
    record Settings(
            long seed,
            long first,
            long inputs,
            int connections,
            int batchSize,
            int boundMs,
            int graceMs,
            long heapBoundBytes,
            int maxFindings) {}

    /** A crash, hang or invariant breach, with the inputs that led to it ({@code first..last}, inclusive). */
    record Finding(String kind, String detail, long firstInput, long lastInput, Input input) {}

    /** What a campaign did. */
    record Report(
            long seed,
            long inputsSent,
            double seconds,
            Map<Result, Long> results,
            long waitedPast,
            long witnessAcked,
            List<Finding> findings,
            Map<String, Uuid> topicIds) {
        double inputsPerSecond() {
            return inputsSent / Math.max(seconds, 1e-9);
        }

        String summary() {
            return String.format(
                    "seed %d: %d inputs in %.1f s (%.0f inputs/s), results %s, %d sent without waiting (may wait past the bound), "
                            + "witness acked %d, %d findings",
                    seed, inputsSent, seconds, inputsPerSecond(), results, waitedPast, witnessAcked, findings.size());
        }
    }

    private final BrokerHarness harness;
    private final Path dataDir;
    private final Settings settings;
    private final Map<Result, AtomicLong> results = new EnumMap<>(Result.class);
    private final AtomicLong waitedPast = new AtomicLong();
    private final AtomicLong sentCount = new AtomicLong();
    private final List<Finding> findings = Collections.synchronizedList(new ArrayList<>());

    FuzzCampaign(BrokerHarness harness, Path dataDir, Settings settings) {
        this.harness = harness;
        this.dataDir = dataDir;
        this.settings = settings;
        for (Result r : Result.values()) {
            results.put(r, new AtomicLong());
        }
    }

    /** The broker overrides a campaign expects (thread counts the invariants check against). */
    static Map<String, String> brokerOverrides() {
        return BrokerInvariants.brokerOverrides(NETWORK_THREADS, IO_THREADS);
    }

    /** Creates the fuzz topics and the witness topic; returns the fuzz topics' ids. */
    static Map<String, Uuid> createTopics(BrokerHarness harness) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        int partitions = 1;
        for (String topic : FuzzCorpus.TOPICS) {
            topics.add(new NewTopic(topic, partitions++, (short) 1));
        }
        topics.add(new NewTopic(WitnessProducer.TOPIC, 1, (short) 1));
        Admin admin = harness.admin();
        admin.createTopics(topics).all().get();
        Map<String, Uuid> ids = new HashMap<>();
        admin.describeTopics(FuzzCorpus.TOPICS)
                .allTopicNames()
                .get()
                .forEach((name, description) -> ids.put(name, description.topicId()));
        return ids;
    }

    /** Every (API, version) the broker advertises, asked through ApiVersions. */
    static List<FuzzInputs.ApiVersion> advertisedApis(int port) throws IOException {
        try (RawConnection raw = new RawConnection(port)) {
            ApiVersionsResponse response = (ApiVersionsResponse) raw.send(new ApiVersionsRequest(
                    new ApiVersionsRequestData().setClientSoftwareName("fuzz").setClientSoftwareVersion("1"),
                    (short) 3));
            List<FuzzInputs.ApiVersion> apis = new ArrayList<>();
            for (ApiVersionsResponseData.ApiVersion api : response.data().apiKeys()) {
                ApiKeys key = ApiKeys.forId(api.apiKey());
                short min = (short) Math.max(api.minVersion(), key.oldestVersion());
                for (short v = min; v <= api.maxVersion(); v++) {
                    apis.add(new FuzzInputs.ApiVersion(key, v));
                }
            }
            return apis;
        }
    }

    Report run() throws Exception {
        Map<String, Uuid> topicIds = createTopics(harness);
        int port = harness.broker().port();
        FuzzInputs inputs = new FuzzInputs(settings.seed(), advertisedApis(port), new FuzzCorpus(topicIds));
        BrokerInvariants invariants =
                new BrokerInvariants(port, dataDir, IO_THREADS, settings.heapBoundBytes(), settings.boundMs());
        Set<String> knownBreaches = new HashSet<>();
        ExecutorService workers = Executors.newFixedThreadPool(settings.connections(), r -> {
            Thread t = new Thread(r, "fuzz-worker");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        try (WitnessProducer witness = new WitnessProducer(harness)) {
            long last = settings.first() + settings.inputs();
            for (long first = settings.first(); first < last; first += settings.batchSize()) {
                long end = Math.min(last, first + settings.batchSize());
                runBatch(workers, inputs, port, first, end);
                witness.pause();
                List<String> breaches = new ArrayList<>(invariants.checkAll(Set.of()));
                breaches.addAll(witness.verify());
                witness.resume();
                boolean alive = breaches.stream().noneMatch(b -> b.startsWith("a fresh connection"));
                for (String breach : new LinkedHashSet<>(breaches)) {
                    if (knownBreaches.add(category(breach))) {
                        record(new Finding("invariant", breach, first, end - 1, null));
                    }
                }
                System.out.printf(
                        "fuzz: %d/%d inputs, %.0f s, %d findings%n",
                        sentCount.get(), settings.inputs(), (System.nanoTime() - start) / 1e9, findings.size());
                if (!alive || findings.size() >= settings.maxFindings()) {
                    break;
                }
            }
            witness.pause();
            List<String> witnessBreaches = witness.verify();
            witnessBreaches.forEach(b -> record(new Finding("invariant", b, settings.first(), last - 1, null)));
            long acked = witness.ackedCount();
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<Result, Long> counts = new EnumMap<>(Result.class);
            results.forEach((k, v) -> counts.put(k, v.get()));
            return new Report(
                    settings.seed(),
                    sentCount.get(),
                    seconds,
                    counts,
                    waitedPast.get(),
                    acked,
                    List.copyOf(findings),
                    topicIds);
        } finally {
            workers.shutdownNow();
        }
    }

    /**
     * What kind of breach this is, so one finding stands for all breaches of its kind: the location (partition,
     * segment, position, offsets) and every number dropped, e.g. {@code log: records unreadable after N (header count
     * N): ...Unknown compression type id: N}.
     */
    static String category(String breach) {
        return breach.replaceFirst("^log: [^ ]+@\\d+ \\(base offset -?\\d+\\): ", "log: ")
                .replaceAll("-?\\d+", "N");
    }

    /** Keeps a finding and prints it at once, so a long run stopped by hand still shows what it found. */
    private void record(Finding finding) {
        findings.add(finding);
        System.out.println("fuzz: finding " + finding.kind() + " at inputs " + finding.firstInput() + ".."
                + finding.lastInput() + ": " + finding.detail()
                + (finding.input() == null ? "" : " [" + finding.input().describe() + "]"));
    }

    private void runBatch(ExecutorService workers, FuzzInputs inputs, int port, long first, long end) throws Exception {
        AtomicLong next = new AtomicLong(first);
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < settings.connections(); c++) {
            running.add(workers.submit(() -> {
                try (FuzzConnection connection = new FuzzConnection(port, settings.boundMs(), settings.graceMs())) {
                    for (long i = next.getAndIncrement();
                            i < end && findings.size() < settings.maxFindings();
                            i = next.getAndIncrement()) {
                        send(connection, inputs.input(i));
                    }
                }
                return null;
            }));
        }
        for (Future<?> worker : running) {
            worker.get();
        }
    }

    private void send(FuzzConnection connection, Input input) throws IOException {
        sentCount.incrementAndGet();
        Result result;
        try {
            result = connection.deliver(input.frame());
        } catch (java.net.ConnectException e) {
            record(new Finding("refused-connection", String.valueOf(e), input.index(), input.index(), input));
            return;
        }
        if (result == null) {
            waitedPast.incrementAndGet();
            return;
        }
        results.get(result).incrementAndGet();
        if (result == Result.SILENT) {
            record(new Finding(
                    "hang",
                    "no answer and no close within " + (settings.boundMs() + settings.graceMs())
                            + " ms (ping unanswered too)",
                    input.index(),
                    input.index(),
                    input));
        }
    }
}
