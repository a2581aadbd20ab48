package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Time;

/**
 * One repetition on one broker: launch it on a fresh directory, time launch → first acknowledged record, wait idle
 * and read its RSS, run every cell on fresh topics (produce cells, then consume cells over the data the produce
 * cells left, then latency), read its peak RSS and stop it. A failing cell is recorded and the next cell still runs;
 * if the broker dies or does not start, the remaining cells are recorded as failed.
 */
final class BrokerSession {
    private final SideBySideOptions options;
    private final Measurements measurements;
    private final PayloadPool payloads;
    private final long ticksPerSecond;
    private final Time time;

    BrokerSession(
            SideBySideOptions options,
            Measurements measurements,
            PayloadPool payloads,
            long ticksPerSecond,
            Time time) {
        this.options = options;
        this.measurements = measurements;
        this.payloads = payloads;
        this.ticksPerSecond = ticksPerSecond;
        this.time = time;
    }

    void run(BrokerLauncher launcher, int rep, Path dir) throws InterruptedException {
        String variant = launcher.variant();
        boolean durable = variant.equals(ResultsReport.SKEIN_DURABLE);
        progress(variant, rep, "starting");
        try (RunningBroker broker = launcher.start(dir)) {
            try {
                double firstAck = new FirstAckProbe(time).run(broker, payloads.get(0), options.timeoutSeconds());
                measurements.add(variant, rep, Cells.STARTUP, firstAck);
                progress(variant, rep, String.format("first record acknowledged %.0f ms after launch", firstAck));
            } catch (Exception e) {
                measurements.fail(variant, rep, "start-up", describe(e) + "\n" + broker.outputTail(20));
                return;
            }
            time.sleep(options.idleSeconds() * 1000L);
            measurements.add(variant, rep, Cells.IDLE_RSS, ProcStats.readRssKib(broker.pid()) / 1024.0);
            BrokerCpu cpu = new BrokerCpu(broker.pid(), ticksPerSecond);
            try (Admin admin = Admin.create(ClientConfigs.admin(broker.bootstrap(), options.timeoutSeconds()))) {
                Map<String, String> topics = new HashMap<>();
                for (ProduceWorkload.Cell cell : durable ? Cells.DURABLE_PRODUCE : Cells.PRODUCE) {
                    runCell(broker, rep, cell.name(), () -> produce(admin, broker, rep, cell, cpu, topics));
                }
                if (!durable) {
                    for (int partitions : Cells.CONSUME_PARTITIONS) {
                        runCell(
                                broker,
                                rep,
                                Cells.consumeName(partitions),
                                () -> consume(broker, rep, partitions, cpu, topics));
                    }
                }
                runCell(broker, rep, Cells.latencyName(options.latencyRate()), () -> latency(admin, broker, rep));
                if (!durable) {
                    Map<TxnProduceWorkload.Cell, String> txnTopics = new HashMap<>();
                    for (TxnProduceWorkload.Cell cell : Cells.TXN_PRODUCE) {
                        runCell(broker, rep, cell.name(), () -> txnProduce(admin, broker, rep, cell, cpu, txnTopics));
                    }
                    runCell(broker, rep, Cells.READ_COMMITTED_NAME, () -> readCommitted(broker, rep, cpu, txnTopics));
                    runCell(broker, rep, Cells.hopLatencyName(Cells.HOP_RATE), () -> hopLatency(admin, broker, rep));
                }
            }
            measurements.add(variant, rep, Cells.PEAK_RSS, ProcStats.readPeakRssKib(broker.pid()) / 1024.0);
        } catch (IOException e) {
            measurements.fail(variant, rep, "broker", describe(e));
        }
    }

    /** A cell's body; may throw anything, which fails the cell. */
    private interface CellBody {
        void run() throws Exception;
    }

    private void runCell(RunningBroker broker, int rep, String name, CellBody body) throws InterruptedException {
        if (!options.runs(name)) {
            return;
        }
        if (!broker.isAlive()) {
            measurements.fail(broker.variant(), rep, name, "the broker is no longer running");
            return;
        }
        long start = time.nanoseconds();
        try {
            body.run();
            progress(
                    broker.variant(),
                    rep,
                    String.format("%s done in %.1f s", name, (time.nanoseconds() - start) / 1e9));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            measurements.fail(broker.variant(), rep, name, describe(e));
            progress(broker.variant(), rep, name + " FAILED: " + describe(e));
        }
    }

    private void produce(
            Admin admin,
            RunningBroker broker,
            int rep,
            ProduceWorkload.Cell cell,
            BrokerCpu cpu,
            Map<String, String> topics)
            throws Exception {
        String topic = "bench-" + cell.id().replace('.', '-');
        Topics.create(admin, topic, cell.partitions(), options.timeoutSeconds());
        Throughput result = new ProduceWorkload(time, payloads)
                .run(
                        broker.bootstrap(),
                        topic,
                        cell,
                        options.warmupRecords(),
                        options.records(),
                        cpu,
                        options.timeoutSeconds());
        measurements.add(broker.variant(), rep, Cells.produceRate(cell), result.recordsPerSecond());
        measurements.add(broker.variant(), rep, Cells.produceCpu(cell), result.cpuSecondsPerGiB());
        topics.put(cell.acks() + "/" + cell.compression() + "/" + cell.partitions(), topic);
    }

    private void txnProduce(
            Admin admin,
            RunningBroker broker,
            int rep,
            TxnProduceWorkload.Cell cell,
            BrokerCpu cpu,
            Map<TxnProduceWorkload.Cell, String> topics)
            throws Exception {
        String topic = "bench-" + cell.id().replace('.', '-');
        Topics.create(admin, topic, cell.partitions(), options.timeoutSeconds());
        Topics.awaitWritable(broker.bootstrap(), topic, cell.partitions(), payloads.get(0), options.timeoutSeconds());
        Throughput result = new TxnProduceWorkload(time, payloads)
                .run(
                        broker.bootstrap(),
                        topic,
                        cell,
                        options.warmupRecords(),
                        options.records(),
                        cpu,
                        options.timeoutSeconds());
        measurements.add(broker.variant(), rep, Cells.txnProduceRate(cell), result.recordsPerSecond());
        measurements.add(broker.variant(), rep, Cells.txnProduceCpu(cell), result.cpuSecondsPerGiB());
        topics.put(cell, topic);
    }

    private void readCommitted(
            RunningBroker broker, int rep, BrokerCpu cpu, Map<TxnProduceWorkload.Cell, String> topics) {
        TxnProduceWorkload.Cell source = Cells.READ_COMMITTED_SOURCE;
        String topic = topics.get(source);
        if (topic == null) {
            throw new IllegalStateException("no data to consume: the " + source.name() + " cell did not run or failed");
        }
        // The committed records: the transactional ones plus the one per partition that made the topic writable.
        long committed = TxnProduceWorkload.recordsWritten(source, options.warmupRecords(), options.records())
                + source.partitions();
        Throughput result = new ConsumeWorkload(time, payloads.payloadBytes())
                .run(
                        broker.bootstrap(),
                        topic,
                        source.partitions(),
                        options.warmupRecords(),
                        cpu,
                        options.timeoutSeconds(),
                        committed);
        measurements.add(broker.variant(), rep, Cells.READ_COMMITTED_RATE, result.recordsPerSecond());
        measurements.add(broker.variant(), rep, Cells.READ_COMMITTED_CPU, result.cpuSecondsPerGiB());
    }

    private void hopLatency(Admin admin, RunningBroker broker, int rep) throws Exception {
        Topics.create(admin, "bench-hop-in", 1, options.timeoutSeconds());
        Topics.create(admin, "bench-hop-out", 1, options.timeoutSeconds());
        LatencyWorkload.Result result = new LatencyWorkload(time, payloads)
                .runThroughHop(
                        broker.bootstrap(),
                        "bench-hop-in",
                        "bench-hop-out",
                        Cells.HOP_RATE,
                        options.latencyWarmupSeconds(),
                        options.latencySeconds(),
                        options.timeoutSeconds());
        addPercentiles(broker, rep, Cells.hopLatency(Cells.HOP_RATE), result);
    }

    private void addPercentiles(RunningBroker broker, int rep, List<Metric> metrics, LatencyWorkload.Result result) {
        measurements.add(broker.variant(), rep, metrics.get(0), result.p50());
        measurements.add(broker.variant(), rep, metrics.get(1), result.p99());
        measurements.add(broker.variant(), rep, metrics.get(2), result.p999());
        measurements.add(broker.variant(), rep, metrics.get(3), result.max());
    }

    private void consume(RunningBroker broker, int rep, int partitions, BrokerCpu cpu, Map<String, String> topics) {
        String topic = topics.get("1/none/" + partitions);
        if (topic == null) {
            throw new IllegalStateException(
                    "no data to consume: the acks=1 none " + partitions + "p produce cell did not run or failed");
        }
        Throughput result = new ConsumeWorkload(time, payloads.payloadBytes())
                .run(broker.bootstrap(), topic, partitions, options.warmupRecords(), cpu, options.timeoutSeconds());
        measurements.add(broker.variant(), rep, Cells.consumeRate(partitions), result.recordsPerSecond());
        measurements.add(broker.variant(), rep, Cells.consumeCpu(partitions), result.cpuSecondsPerGiB());
    }

    private void latency(Admin admin, RunningBroker broker, int rep) throws Exception {
        String topic = "bench-latency";
        Topics.create(admin, topic, 1, options.timeoutSeconds());
        LatencyWorkload.Result result = new LatencyWorkload(time, payloads)
                .run(
                        broker.bootstrap(),
                        topic,
                        options.latencyRate(),
                        options.latencyWarmupSeconds(),
                        options.latencySeconds(),
                        options.timeoutSeconds());
        addPercentiles(broker, rep, Cells.latency(options.latencyRate()), result);
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(e.toString());
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    private void progress(String variant, int rep, String what) {
        System.err.printf("[side-by-side %tT] %s #%d: %s%n", time.milliseconds(), variant, rep, what);
    }
}
