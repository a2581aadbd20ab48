package dev.skein.broker.fault;

import dev.skein.broker.fault.TxnWorkload.Outcome;
import dev.skein.broker.fault.TxnWorkload.Txn;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;

/**
 * Judges a finished transactional run against the healed cluster. {@link #settle} starts a new producer for every
 * transactional id ({@code initTransactions} completes a prepared transaction or aborts an open one) and waits until
 * every partition's last stable offset reaches its high watermark (a transaction left hanging fails here). {@link
 * #check} then reads everything with {@code read_committed} and {@code read_uncommitted} and finds, as lines in
 * {@link #problems()}:
 *
 * <ul>
 *   <li>a committed transaction with a record missing, or a record visible twice;
 *   <li>a record of an aborted transaction visible to {@code read_committed} (at the end, or to the reader during the
 *       run);
 *   <li>an ambiguous transaction (its commit threw) visible only in part: all of it or none of it;
 *   <li>a record the reader saw during the run before its transaction's commit was requested (the LSO exposed
 *       undecided data), or at a position that now holds something else or nothing;
 *   <li>a value that belongs to no transaction.
 * </ul>
 */
final class TxnChecker {
    private final String topic;
    private final int partitions;
    private final String bootstrap;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, List<String>> committedRead = new HashMap<>(); // value -> positions
    private final Map<String, String> committedAt = new HashMap<>(); // "p@offset" -> value
    private final List<String> uncommittedRead = new ArrayList<>();
    private long problemCount;
    private long abortedRecordsInLog;
    private long ambiguousCommitted;
    private long ambiguousAborted;

    TxnChecker(String topic, int partitions, String bootstrap) {
        this.topic = topic;
        this.partitions = partitions;
        this.bootstrap = bootstrap;
    }

    List<String> problems() {
        return problems;
    }

    /** Records of aborted transactions that {@code read_uncommitted} reads (so aborts really reached the log). */
    long abortedRecordsInLog() {
        return abortedRecordsInLog;
    }

    long ambiguousCommitted() {
        return ambiguousCommitted;
    }

    long ambiguousAborted() {
        return ambiguousAborted;
    }

    /** Settles every transactional id, then waits (up to 60 s) until LSO = high watermark everywhere. */
    void settle() throws InterruptedException {
        for (int k = 0; k < TxnWorkload.PRODUCERS; k++) {
            String id = TxnWorkload.transactionalId(k);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(TxnWorkload.producerProps(bootstrap, id, 20_000))) {
                    producer.initTransactions();
                    break;
                } catch (RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        problem("initTransactions for " + id + " kept failing for 60 s after healing: " + e);
                        break;
                    }
                    Thread.sleep(500);
                }
            }
        }
        List<TopicPartition> tps = partitions();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<TopicPartition, Long> stable = Map.of();
        Map<TopicPartition, Long> high = Map.of();
        try (KafkaConsumer<byte[], byte[]> committed = consumer(true);
                KafkaConsumer<byte[], byte[]> uncommitted = consumer(false)) {
            while (System.nanoTime() < deadline) {
                stable = committed.endOffsets(tps, Duration.ofSeconds(10));
                high = uncommitted.endOffsets(tps, Duration.ofSeconds(10));
                if (stable.equals(high)) {
                    return;
                }
                Thread.sleep(250);
            }
        }
        problem("last stable offsets " + stable + " still below the high watermarks " + high
                + " 60 s after every transactional id was settled (a hanging transaction)");
    }

    /** Reads the whole topic both ways and checks it against the transactions and the reader's observations. */
    void check(Map<String, Txn> txns, Map<String, TxnReader.Seen> seenDuringRun) {
        readAll(true, this::committed);
        readAll(false, (value, where) -> uncommitted(value));
        judge(txns, seenDuringRun);
    }

    /** Notes that {@code read_committed} reads {@code value} at {@code where} ({@code partition@offset}). */
    void committed(String value, String where) {
        committedRead.computeIfAbsent(value, v -> new ArrayList<>()).add(where);
        committedAt.put(where, value);
    }

    /** Notes that {@code read_uncommitted} reads {@code value}. */
    void uncommitted(String value) {
        uncommittedRead.add(value);
    }

    /** Checks what was read against the transactions' outcomes and the reader's observations during the run. */
    void judge(Map<String, Txn> txns, Map<String, TxnReader.Seen> seenDuringRun) {
        Map<String, Integer> visible = new HashMap<>(); // transaction key -> records read_committed
        committedRead.forEach((value, where) -> {
            if (where.size() > 1) {
                problem("read_committed reads " + value + " " + where.size() + " times: at " + where);
            }
            Txn txn = txns.get(transactionKey(value));
            if (txn == null) {
                problem("read_committed reads " + value + " at " + where + ", of no transaction");
                return;
            }
            visible.merge(txn.key, where.size(), Integer::sum);
        });
        for (String value : uncommittedRead) {
            Txn txn = txns.get(transactionKey(value));
            if (txn != null && txn.outcome == Outcome.ABORTED) {
                abortedRecordsInLog++;
            }
        }
        for (Txn txn : txns.values()) {
            checkTransaction(txn, visible.getOrDefault(txn.key, 0));
        }
        seenDuringRun.forEach((value, seen) -> checkSeen(value, seen, txns.get(transactionKey(value))));
    }

    private void checkTransaction(Txn txn, int visible) {
        switch (txn.outcome) {
            case COMMITTED -> {
                if (visible != txn.count) {
                    problem("transaction " + txn.key + " committed (commitTransaction returned) but read_committed "
                            + "reads " + visible + " of its " + txn.count + " records");
                }
            }
            case ABORTED -> {
                if (visible != 0) {
                    problem("transaction " + txn.key + " aborted ("
                            + (txn.error == null ? "abortTransaction" : txn.error) + ") but read_committed reads "
                            + visible + " of its " + txn.count + " records");
                }
            }
            case AMBIGUOUS, OPEN -> {
                if (visible == txn.count) {
                    ambiguousCommitted++;
                } else if (visible == 0) {
                    ambiguousAborted++;
                } else {
                    problem("transaction " + txn.key + " (" + txn.outcome + ", " + txn.error + ") is visible in part: "
                            + visible + " of its " + txn.count + " records");
                }
            }
        }
    }

    private void checkSeen(String value, TxnReader.Seen seen, Txn txn) {
        String where = seen.partition() + "@" + seen.offset();
        if (txn == null) {
            problem("the reader read " + value + " at " + where + " during the run, of no transaction");
            return;
        }
        if (txn.outcome == Outcome.ABORTED) {
            problem("the reader read " + value + " at " + where + " during the run, of an aborted transaction");
        } else if (txn.commitRequestedNanos < 0 || seen.nanos() < txn.commitRequestedNanos) {
            problem("the reader read " + value + " at " + where + " during the run before its transaction's commit "
                    + "was requested (" + txn.outcome + ")");
        }
        if (!value.equals(committedAt.get(where))) {
            problem("the reader read " + value + " at " + where + " during the run; read_committed now reads "
                    + committedAt.get(where) + " there");
        }
    }

    /** The transaction key of a value {@code <key>:<i>/<n>}. */
    static String transactionKey(String value) {
        int colon = value.lastIndexOf(':');
        return colon < 0 ? value : value.substring(0, colon);
    }

    private interface Sink {
        void accept(String value, String where);
    }

    private void readAll(boolean committedOnly, Sink sink) {
        List<TopicPartition> tps = partitions();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(committedOnly)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read-back (" + (committedOnly ? "read_committed" : "read_uncommitted")
                            + ") did not reach " + ends + " within 120 s");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    sink.accept(
                            new String(record.value(), StandardCharsets.UTF_8),
                            record.partition() + "@" + record.offset());
                }
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(boolean committedOnly) {
        Properties props = TxnReader.consumerProps(bootstrap, committedOnly);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        return new KafkaConsumer<>(props);
    }

    private List<TopicPartition> partitions() {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        return tps;
    }

    /** Every problem found (only the first 50 are kept as lines). */
    long problemCount() {
        return problemCount;
    }

    private void problem(String text) {
        problemCount++;
        if (problems.size() < 50) {
            problems.add(text);
        }
    }
}
