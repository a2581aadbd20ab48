package dev.skein.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Process-level fault injection: 3 broker JVMs ({@code -Dskein.fault.brokers=5} for 5) and a standalone ZooKeeper
 * (2 s sessions), a topic with 3 partitions,
 * replication factor 3 and min.insync.replicas=2, an idempotent acks=all producer and a committing consumer group
 * ({@link Workload}) running through a seeded {@link FaultSchedule} of kill -9, SIGSTOP past the session timeout,
 * broker-to-ZooKeeper link cuts and drops, one-way cuts and delays of a broker's inbound link or of one broker pair's
 * replica traffic, and a halt right after a follower truncation. After healing:
 * every acknowledged record is at its acknowledged offset, no value is stored twice, per-key order holds, no offset
 * changed its value, no acknowledged commit went backwards, and the replicas' segment files are byte-identical.
 * A failure prints the seed and the fault timeline; rerun with {@code -Dskein.fault.seed=N}.
 */
class FaultInjectionIT {
    private static final String TOPIC = "faults";
    private static final int PARTITIONS = 3;

    @TempDir
    Path dir;

    /**
     * Only {@code CRASH_AFTER_TRUNCATION}: a leader cut off until leadership moves truncates its unreplicated records
     * as a follower and halts right after the truncation is durable; at least one fault must really halt it there.
     * Slow profile: the short schedule and the 100-fault run have this kind in their rotation too.
     */
    @Test
    @Tag("slow")
    void crashRightAfterTruncationLosesNothing() throws Exception {
        run(
                Long.getLong("skein.fault.seed", 4L),
                Integer.getInteger("skein.fault.count", 3),
                EnumSet.of(FaultSchedule.Kind.CRASH_AFTER_TRUNCATION));
    }

    @Test
    void shortScheduleLosesNothing() throws Exception {
        run(Long.getLong("skein.fault.seed", 1L), Integer.getInteger("skein.fault.count", 12));
    }

    /**
     * 100 faults of every kind but {@code DISK_FULL}; with {@code -Dskein.fault.disk=true} (root with mount rights)
     * a full disk joins the rotation.
     */
    @Test
    @Tag("slow")
    void hundredFaultsLoseNothing() throws Exception {
        Set<FaultSchedule.Kind> kinds = EnumSet.complementOf(EnumSet.of(FaultSchedule.Kind.DISK_FULL));
        if (Boolean.getBoolean("skein.fault.disk")) {
            Assumptions.assumeTrue(
                    FaultCluster.canMount(dir.resolve("mount-probe")), "tmpfs cannot be mounted here (needs root)");
            kinds.add(FaultSchedule.Kind.DISK_FULL);
        }
        run(Long.getLong("skein.fault.seed", 2L), Integer.getInteger("skein.fault.count", 100), kinds);
    }

    /**
     * Broker 3's log directory is a 256 MiB tmpfs that fills up (shrunk to what is in use) past the session timeout
     * and then gets room again, interleaved with kill -9 and SIGSTOP. Needs root with mount rights, hence opt-in
     * ({@code -Dskein.fault.disk=true}). It once found that a kill -9 soon after a full disk left the MapDB broker
     * state file unreadable (see {@code BrokerStateStore} and docs/reliability.md).
     */
    @Test
    @EnabledIfSystemProperty(named = "skein.fault.disk", matches = "true")
    void fullDiskLosesNothing() throws Exception {
        Assumptions.assumeTrue(
                FaultCluster.canMount(dir.resolve("mount-probe")), "tmpfs cannot be mounted here (needs root)");
        run(
                Long.getLong("skein.fault.seed", 3L),
                Integer.getInteger("skein.fault.count", 6),
                EnumSet.of(FaultSchedule.Kind.DISK_FULL, FaultSchedule.Kind.KILL_9, FaultSchedule.Kind.SIGSTOP));
    }

    private void run(long seed, int faults) throws Exception {
        run(seed, faults, EnumSet.complementOf(EnumSet.of(FaultSchedule.Kind.DISK_FULL)));
    }

    /**
     * Transactions through faults: {@link TxnWorkload}'s transactional producers (seeded commits and aborts, a
     * {@code read_committed} reader alongside) on a topic with 3 partitions, replication factor 3 and
     * min.insync.replicas=2, through every kind of fault but {@code DISK_FULL}, with kill -9 of a producer's
     * transaction coordinator in the middle of its commit and of the leader of a partition holding its open
     * transaction coming up more often. After healing ({@link TxnChecker}): every transaction whose commit returned is
     * visible exactly once and whole, no record of an aborted one is ever visible, a transaction whose commit threw is
     * visible whole or not at all, the reader never saw a record before its commit was requested, no transaction is
     * left hanging, and the replicas are byte-identical. {@code read_uncommitted} must find aborted records (aborts
     * reached the log). About 3 to 5 minutes. {@code -Dskein.fault.kinds=TXN_COORDINATOR_KILL,...} restricts the kinds.
     */
    @Test
    @Tag("slow")
    void transactionsSurviveFaults() throws Exception {
        long seed = Long.getLong("skein.fault.seed", 5L);
        keepOutputOnFailure(seed, () -> runTransactions(seed, Integer.getInteger("skein.fault.count", 24)));
    }

    private interface Body {
        void run() throws Exception;
    }

    /** Runs the schedule; on failure keeps the brokers' output in {@code target/fault-injection/seed-N/}. */
    private void run(long seed, int faults, Set<FaultSchedule.Kind> kinds) throws Exception {
        keepOutputOnFailure(seed, () -> runChecked(seed, faults, kinds));
    }

    private void keepOutputOnFailure(long seed, Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable failure) {
            Path keep = Path.of("target", "fault-injection", "seed-" + seed);
            Files.createDirectories(keep);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path out : files.filter(f -> f.getFileName().toString().endsWith(".out"))
                        .toList()) {
                    Files.copy(out, keep.resolve(out.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("broker output kept in " + keep.toAbsolutePath());
            throw failure;
        }
    }

    private void runChecked(long seed, int faults, Set<FaultSchedule.Kind> kinds) throws Exception {
        int brokers = Integer.getInteger("skein.fault.brokers", 3);
        try (FaultCluster cluster = FaultCluster.start(dir, brokers, kinds.contains(FaultSchedule.Kind.DISK_FULL))) {
            createTopic(cluster);
            assertThat(cluster.awaitHealthy(Map.of(TOPIC, PARTITIONS), 60_000))
                    .as("topic fully replicated before the first fault")
                    .isTrue();
            Workload workload = new Workload(TOPIC, cluster.bootstrap());
            FaultSchedule schedule = new FaultSchedule(cluster, workload, TOPIC, PARTITIONS, seed).only(kinds);
            try {
                schedule.run(faults);
            } finally {
                workload.close();
            }
            schedule.note("workload stopped: " + workload.ackCount() + " acknowledged, " + workload.failedSends()
                    + " failed sends, " + workload.commits() + " commits");
            assertThat(cluster.awaitHealthy(Map.of(TOPIC, PARTITIONS), 60_000))
                    .as(schedule.failureReport("healed cluster"))
                    .isTrue();
            HistoryChecker checker = new HistoryChecker(TOPIC, PARTITIONS);
            checker.readBack(cluster.bootstrap());
            checker.check(workload.acks(), workload.observed());
            List<String> problems = new ArrayList<>(workload.violations());
            problems.addAll(commitsKept(cluster, workload));
            List<Path> logDirs = new ArrayList<>();
            for (int id : cluster.ids()) {
                logDirs.add(cluster.dataDir(id));
            }
            awaitReplicasIdentical(TOPIC, logDirs);
            for (int id : cluster.ids()) {
                cluster.stopCleanly(id);
            }
            checker.compareReplicas(logDirs);
            problems.addAll(checker.problems());
            String summary = summary(seed, faults, workload, checker, schedule.failoverMs())
                    + (kinds.contains(FaultSchedule.Kind.DISK_FULL)
                            ? "; restarts needed after a full disk: " + schedule.restartsAfterDiskFull()
                            : "")
                    + (kinds.contains(FaultSchedule.Kind.CRASH_AFTER_TRUNCATION)
                            ? "; halts right after a truncation: " + schedule.haltsAfterTruncation()
                            : "")
                    + "; brokers: " + brokers + "; starts that failed and were retried: " + cluster.failedStarts();
            schedule.note(summary);
            assertThat(problems)
                    .as(schedule.failureReport(summary + "\nproblems:\n" + String.join("\n", problems)))
                    .isEmpty();
            assertThat(workload.ackCount()).as("records acknowledged").isPositive();
            if (kinds.equals(EnumSet.of(FaultSchedule.Kind.CRASH_AFTER_TRUNCATION))) {
                assertThat(schedule.haltsAfterTruncation())
                        .as(schedule.failureReport("no fault halted a broker right after a truncation"))
                        .isPositive();
            }
            assertThat(workload.commits()).as("offset commits acknowledged").isPositive();
        }
    }

    private static final String TXN_TOPIC = "txn-faults";
    private static final int TXN_STATE_PARTITIONS = 6;

    private void runTransactions(long seed, int faults) throws Exception {
        long started = System.nanoTime();
        List<String> config = List.of(
                "transaction.state.log.num.partitions=" + TXN_STATE_PARTITIONS,
                "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000");
        System.out.println("[fault seed " + seed + "] transactional schedule of " + faults + " faults");
        try (FaultCluster cluster = FaultCluster.start(dir, 3, false, config)) {
            createTopic(cluster, TXN_TOPIC);
            Map<String, Integer> topics = Map.of(TXN_TOPIC, PARTITIONS, "__transaction_state", TXN_STATE_PARTITIONS);
            TxnWorkload workload = new TxnWorkload(TXN_TOPIC, PARTITIONS, cluster.bootstrap(), seed);
            FaultSchedule schedule = new FaultSchedule(
                            cluster, workload, TXN_STATE_PARTITIONS, TXN_TOPIC, PARTITIONS, seed)
                    .only(txnKinds())
                    .weigh(FaultSchedule.Kind.TXN_COORDINATOR_KILL, 3)
                    .weigh(FaultSchedule.Kind.TXN_LEADER_KILL, 2);
            try {
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (workload.ackCount() < 20 && System.nanoTime() < deadline) {
                    Thread.sleep(100); // the first commits create __transaction_state
                }
                assertThat(cluster.awaitHealthy(topics, 60_000))
                        .as("topics fully replicated before the first fault, " + workload.ackCount() + " commits")
                        .isTrue();
                schedule.run(faults);
            } finally {
                workload.close();
            }
            assertThat(cluster.awaitHealthy(topics, 60_000))
                    .as(schedule.failureReport("healed cluster"))
                    .isTrue();
            TxnChecker checker = new TxnChecker(TXN_TOPIC, PARTITIONS, cluster.bootstrap());
            checker.settle();
            checker.check(workload.txns(), workload.reader().seen());
            List<String> problems = new ArrayList<>(workload.reader().violations());
            problems.addAll(checker.problems());
            List<Path> logDirs = new ArrayList<>();
            for (int id : cluster.ids()) {
                logDirs.add(cluster.dataDir(id));
            }
            awaitReplicasIdentical(TXN_TOPIC, logDirs);
            long resumed = resumedTransactions(cluster);
            brokerErrors(cluster).forEach(line -> schedule.note("broker ERROR: " + line));
            for (int id : cluster.ids()) {
                cluster.stopCleanly(id);
            }
            HistoryChecker replicas = new HistoryChecker(TXN_TOPIC, PARTITIONS);
            replicas.compareReplicas(logDirs);
            problems.addAll(replicas.problems());
            long problemCount = problems.size() - checker.problems().size() + checker.problemCount();
            String summary = txnSummary(seed, faults, schedule, workload, checker, resumed, problemCount) + "; "
                    + (System.nanoTime() - started) / 1_000_000_000L + " s";
            schedule.note(summary);
            assertThat(problems)
                    .as(schedule.failureReport(summary + "\nproblems:\n" + String.join("\n", problems)))
                    .isEmpty();
            assertThat(workload.count(TxnWorkload.Outcome.COMMITTED))
                    .as("committed")
                    .isPositive();
            assertThat(workload.count(TxnWorkload.Outcome.ABORTED))
                    .as("aborted")
                    .isPositive();
            assertThat(checker.abortedRecordsInLog())
                    .as("aborted records read_uncommitted")
                    .isPositive();
            assertThat(workload.reader().seen())
                    .as("records read during the run")
                    .isNotEmpty();
        }
    }

    /** Every kind but {@code DISK_FULL}, or those named in {@code -Dskein.fault.kinds=KIND,KIND} (to hunt). */
    private static Set<FaultSchedule.Kind> txnKinds() {
        String named = System.getProperty("skein.fault.kinds", "");
        if (named.isBlank()) {
            return EnumSet.complementOf(EnumSet.of(FaultSchedule.Kind.DISK_FULL));
        }
        Set<FaultSchedule.Kind> kinds = EnumSet.noneOf(FaultSchedule.Kind.class);
        for (String name : named.split(",")) {
            kinds.add(FaultSchedule.Kind.valueOf(name.trim()));
        }
        return kinds;
    }

    private static String txnSummary(
            long seed,
            int faults,
            FaultSchedule schedule,
            TxnWorkload workload,
            TxnChecker checker,
            long resumed,
            long problems) {
        return "SUMMARY seed " + seed + ": " + faults + " faults " + schedule.injectedKinds()
                + ", transactional hooks " + schedule.txnHooks() + "; transactions: "
                + workload.count(TxnWorkload.Outcome.COMMITTED) + " committed, "
                + workload.count(TxnWorkload.Outcome.ABORTED) + " aborted, "
                + workload.count(TxnWorkload.Outcome.AMBIGUOUS) + " ambiguous (" + checker.ambiguousCommitted()
                + " turned out committed, " + checker.ambiguousAborted() + " aborted), "
                + workload.count(TxnWorkload.Outcome.OPEN) + " left open; errors " + workload.errorKinds() + "; "
                + checker.abortedRecordsInLog()
                + " aborted records in the log; " + workload.reader().seen().size()
                + " records read during the run (" + workload.reader().restarts() + " reader restarts); "
                + resumed + " prepared transactions resumed by a new coordinator; " + problems + " problems";
    }

    /** The distinct ERROR lines of the brokers' output (timestamps cut, at most 20), for the timeline. */
    private List<String> brokerErrors(FaultCluster cluster) throws Exception {
        Set<String> errors = new java.util.LinkedHashSet<>();
        for (int id : cluster.ids()) {
            for (String line : Files.readAllLines(dir.resolve("broker-" + id + ".out"))) {
                int at = line.indexOf(" ERROR ");
                if (at >= 0 && errors.size() < 20) {
                    errors.add("broker " + id + ":" + line.substring(at, Math.min(line.length(), at + 240)));
                }
            }
        }
        return List.copyOf(errors);
    }

    /** The sum over the brokers' output of the prepared transactions a newly loaded coordinator resumed. */
    private long resumedTransactions(FaultCluster cluster) throws Exception {
        java.util.regex.Pattern resumed = java.util.regex.Pattern.compile(", (\\d+) transactions resumed");
        long sum = 0;
        for (int id : cluster.ids()) {
            for (String line : Files.readAllLines(dir.resolve("broker-" + id + ".out"))) {
                java.util.regex.Matcher m = resumed.matcher(line);
                if (m.find()) {
                    sum += Long.parseLong(m.group(1));
                }
            }
        }
        return sum;
    }

    private static void createTopic(FaultCluster cluster) throws Exception {
        createTopic(cluster, TOPIC);
    }

    private static void createTopic(FaultCluster cluster, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()))) {
            admin.createTopics(List.of(
                            new NewTopic(topic, PARTITIONS, (short) 3).configs(Map.of("min.insync.replicas", "2"))))
                    .all()
                    .get();
        }
    }

    /** The group's committed offsets after healing: none below the highest one committed successfully. */
    private static List<String> commitsKept(FaultCluster cluster, Workload workload) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> now;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap()))) {
            now = admin.listConsumerGroupOffsets(Workload.GROUP)
                    .partitionsToOffsetAndMetadata()
                    .get();
        }
        List<String> problems = new ArrayList<>();
        workload.committed().forEach((tp, acknowledged) -> {
            OffsetAndMetadata stored = now.get(tp);
            if (stored == null || stored.offset() < acknowledged) {
                problems.add("committed offset of " + tp + " went backwards after healing: acknowledged " + acknowledged
                        + ", now " + stored);
            }
        });
        return problems;
    }

    /** While the idle brokers run, waits (up to 30 s) until followers have fetched everything; no assertion here. */
    private static void awaitReplicasIdentical(String topic, List<Path> logDirs) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            HistoryChecker probe = new HistoryChecker(topic, PARTITIONS);
            probe.compareReplicas(logDirs);
            if (probe.problems().isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
    }

    private static String summary(
            long seed, int faults, Workload workload, HistoryChecker checker, List<Long> failoverMs) {
        List<Long> sorted = new ArrayList<>(failoverMs);
        sorted.sort(null);
        String failover = sorted.isEmpty()
                ? "none measured"
                : "p50 " + sorted.get(sorted.size() / 2) + " ms, max " + sorted.get(sorted.size() - 1) + " ms over "
                        + sorted.size() + " leader faults";
        return "SUMMARY seed " + seed + ": " + faults + " faults survived, " + workload.ackCount()
                + " records acknowledged, " + checker.lost() + " lost, " + checker.duplicates() + " duplicates, "
                + workload.failedSends() + " sends failed (not acknowledged), " + workload.commits()
                + " commits; failover " + failover;
    }
}
