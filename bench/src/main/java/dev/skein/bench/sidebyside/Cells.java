package dev.skein.bench.sidebyside;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The workloads of a run and the metrics they produce, in the order of the results table: produce rates, consume
 * rates, latency percentiles, broker CPU per GiB, then start-up and memory.
 */
final class Cells {
    static final List<ProduceWorkload.Cell> PRODUCE = produceCells();
    /** The Skein durable-ack variant runs only these produce cells (plus latency). */
    static final List<ProduceWorkload.Cell> DURABLE_PRODUCE =
            List.of(new ProduceWorkload.Cell("all", "none", 1), new ProduceWorkload.Cell("all", "none", 16));
    /** Transactional produce: 100 and 1,000 records per transaction, 1 and 16 partitions (issue 18). */
    static final List<TxnProduceWorkload.Cell> TXN_PRODUCE = List.of(
            new TxnProduceWorkload.Cell(100, 1),
            new TxnProduceWorkload.Cell(100, 16),
            new TxnProduceWorkload.Cell(1000, 1),
            new TxnProduceWorkload.Cell(1000, 16));
    /** The read_committed consume cell reads back the topic of this transactional cell (the most markers). */
    static final TxnProduceWorkload.Cell READ_COMMITTED_SOURCE = new TxnProduceWorkload.Cell(100, 16);

    static final String READ_COMMITTED_NAME = "consume read_committed " + READ_COMMITTED_SOURCE.partitions() + "p ("
            + READ_COMMITTED_SOURCE.txnRecords() + "/txn)";
    static final Metric READ_COMMITTED_RATE =
            Metric.higher("consume.read-committed.rate", READ_COMMITTED_NAME, "records/s", 0);
    static final Metric READ_COMMITTED_CPU =
            Metric.lower("consume.read-committed.cpu", READ_COMMITTED_NAME + ": broker CPU", "CPU s/GiB", 2);
    /** Consume cells read back the topic of the acks=1, uncompressed produce cell with this many partitions. */
    static final List<Integer> CONSUME_PARTITIONS = List.of(1, 16);

    static final Metric STARTUP =
            Metric.lower("startup.first-ack", "start-up: launch to first acknowledged record", "ms", 0);
    static final Metric IDLE_RSS = Metric.lower("memory.idle-rss", "idle RSS (after start-up and idle wait)", "MiB", 0);
    static final Metric PEAK_RSS = Metric.lower("memory.peak-rss", "peak RSS over the whole run (VmHWM)", "MiB", 0);

    private Cells() {}

    private static List<ProduceWorkload.Cell> produceCells() {
        List<ProduceWorkload.Cell> cells = new ArrayList<>();
        for (String acks : List.of("1", "all")) {
            for (String compression : List.of("none", "lz4")) {
                for (int partitions : List.of(1, 16)) {
                    cells.add(new ProduceWorkload.Cell(acks, compression, partitions));
                }
            }
        }
        return List.copyOf(cells);
    }

    static Metric produceRate(ProduceWorkload.Cell cell) {
        return Metric.higher(cell.id() + ".rate", cell.name(), "records/s", 0);
    }

    static Metric produceCpu(ProduceWorkload.Cell cell) {
        return Metric.lower(cell.id() + ".cpu", cell.name() + ": broker CPU", "CPU s/GiB", 2);
    }

    static Metric txnProduceRate(TxnProduceWorkload.Cell cell) {
        return Metric.higher(cell.id() + ".rate", cell.name(), "records/s", 0);
    }

    static Metric txnProduceCpu(TxnProduceWorkload.Cell cell) {
        return Metric.lower(cell.id() + ".cpu", cell.name() + ": broker CPU", "CPU s/GiB", 2);
    }

    static String consumeName(int partitions) {
        return "consume " + partitions + "p";
    }

    static Metric consumeRate(int partitions) {
        return Metric.higher("consume.p" + partitions + ".rate", consumeName(partitions), "records/s", 0);
    }

    static Metric consumeCpu(int partitions) {
        return Metric.lower(
                "consume.p" + partitions + ".cpu", consumeName(partitions) + ": broker CPU", "CPU s/GiB", 2);
    }

    static String latencyName(int rate) {
        return String.format(Locale.ROOT, "e2e latency at %,d records/s", rate);
    }

    /**
     * The rate of the exactly-once hop's latency cell: one transaction per poll keeps up with a few thousand records
     * a second on either broker, far from the plain latency cell's rate (at 50,000 records/s Kafka's hop fell behind
     * by seconds, which measures the backlog, not the hop).
     */
    static final int HOP_RATE = 1_000;

    static String hopLatencyName(int rate) {
        return String.format(Locale.ROOT, "exactly-once hop latency at %,d records/s", rate);
    }

    /** p50, p99, p99.9 and max, in that order. */
    static List<Metric> latency(int rate) {
        return percentiles("latency", latencyName(rate));
    }

    /** p50, p99, p99.9 and max of the consume-transform-produce hop, in that order. */
    static List<Metric> hopLatency(int rate) {
        return percentiles("hop-latency", hopLatencyName(rate));
    }

    private static List<Metric> percentiles(String id, String name) {
        return List.of(
                Metric.lower(id + ".p50", name + ": p50", "ms", 2),
                Metric.lower(id + ".p99", name + ": p99", "ms", 2),
                Metric.lower(id + ".p999", name + ": p99.9", "ms", 2),
                Metric.lower(id + ".max", name + ": max", "ms", 2));
    }

    static void declareAll(Measurements measurements, int latencyRate) {
        PRODUCE.forEach(c -> measurements.declare(produceRate(c)));
        CONSUME_PARTITIONS.forEach(p -> measurements.declare(consumeRate(p)));
        TXN_PRODUCE.forEach(c -> measurements.declare(txnProduceRate(c)));
        measurements.declare(READ_COMMITTED_RATE);
        latency(latencyRate).forEach(measurements::declare);
        hopLatency(HOP_RATE).forEach(measurements::declare);
        PRODUCE.forEach(c -> measurements.declare(produceCpu(c)));
        CONSUME_PARTITIONS.forEach(p -> measurements.declare(consumeCpu(p)));
        TXN_PRODUCE.forEach(c -> measurements.declare(txnProduceCpu(c)));
        measurements.declare(READ_COMMITTED_CPU);
        measurements.declare(STARTUP);
        measurements.declare(IDLE_RSS);
        measurements.declare(PEAK_RSS);
    }
}
