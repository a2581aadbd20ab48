package dev.skein.bench.sidebyside;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Time;

/**
 * Transactional produce at the maximum rate: one transactional producer ({@code acks=all}, idempotent, no
 * compression, the harness's batch settings) writes {@code warmup + records} records from the payload pool in
 * transactions of {@code cell.txnRecords()} records each, round-robin over the topic's partitions, and commits each
 * transaction before it begins the next (the way a consume-transform-produce loop commits). The measured window runs
 * from the commit that completed the {@code warmup}-th record to the last commit; the broker's CPU time is read at
 * the same two moments. Fails if any send or commit fails.
 */
final class TxnProduceWorkload {
    /** A transactional produce cell: records per transaction and partition count. */
    record Cell(int txnRecords, int partitions) {
        String name() {
            return "txn produce " + txnRecords + "/txn " + partitions + "p";
        }

        String id() {
            return "txn-produce.t" + txnRecords + ".p" + partitions;
        }
    }

    private final Time time;
    private final PayloadPool payloads;

    TxnProduceWorkload(Time time, PayloadPool payloads) {
        this.time = time;
        this.payloads = payloads;
    }

    Throughput run(String bootstrap, String topic, Cell cell, long warmup, long records, BrokerCpu cpu, int timeoutS) {
        long total = roundUp(warmup + records, cell.txnRecords());
        long startAt = roundUp(warmup, cell.txnRecords());
        long startNanos = 0;
        double startCpu = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config(bootstrap, topic, timeoutS))) {
            producer.initTransactions();
            long sent = 0;
            if (startAt == 0) {
                startNanos = time.nanoseconds();
                startCpu = cpu.seconds();
            }
            while (sent < total) {
                producer.beginTransaction();
                for (int i = 0; i < cell.txnRecords(); i++, sent++) {
                    producer.send(
                            new ProducerRecord<>(topic, (int) (sent % cell.partitions()), null, payloads.get(sent)));
                }
                producer.commitTransaction();
                if (sent == startAt) {
                    startNanos = time.nanoseconds();
                    startCpu = cpu.seconds();
                }
            }
        }
        long endNanos = time.nanoseconds();
        double endCpu = cpu.seconds();
        long measured = total - startAt;
        double seconds = (endNanos - startNanos) / 1e9;
        long bytes = measured * payloads.payloadBytes();
        return new Throughput(
                measured / seconds, bytes / (1024.0 * 1024.0) / seconds, BrokerCpu.perGiB(endCpu - startCpu, bytes));
    }

    /** How many records a cell writes for {@code warmup + records}: whole transactions only. */
    static long recordsWritten(Cell cell, long warmup, long records) {
        return roundUp(warmup + records, cell.txnRecords());
    }

    private static long roundUp(long value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    private static Properties config(String bootstrap, String topic, int timeoutS) {
        Properties props = ClientConfigs.producer(bootstrap, "all", "none", timeoutS);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + topic);
        props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Math.max(60_000, timeoutS * 1000));
        return props;
    }
}
