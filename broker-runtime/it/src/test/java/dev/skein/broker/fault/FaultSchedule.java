package dev.skein.broker.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Runs a seeded schedule of faults against a {@link FaultCluster} while a {@link Workload} runs, one fault at a
 * time: pick a victim by role (the leader or a follower of a random partition, or the controller), inject, hold,
 * heal, then wait until the cluster is whole again (every broker registered, every partition with a full ISR) and
 * the producer has an acknowledgement for a record sent after the heal. The fault kinds cycle in a seeded order, so
 * any run of as many faults as there are kinds covers every kind; everything else (role, partition, durations) comes from the seed.
 *
 * <p>With a {@link TxnWorkload} the progress is its committed transactions, {@code __transaction_state} must be whole
 * too, and two more kinds join: kill -9 of a transaction coordinator in the middle of a commit and of a partition
 * leader holding an open transaction, timed by the workload's hooks.
 *
 * <p>Keeps a timeline (elapsed seconds, fault, cluster state after healing) for failure messages, and the failover
 * time of every kill -9 or SIGSTOP whose victim led partitions: from the injection to the first
 * acknowledgement of a record sent after the injection to one of those partitions.
 */
final class FaultSchedule {
    /** The fault kinds. */
    enum Kind {
        KILL_9,
        SIGSTOP,
        ZK_LINK_CUT,
        ZK_LINK_DROP,
        INBOUND_ONE_WAY_CUT,
        INBOUND_DELAY,
        /**
         * Always a leader: its responses and then its ZooKeeper link are cut, so it appends records no follower gets
         * while leadership moves; when healed it must truncate them as a follower, and a fault point halts it right
         * after that truncation is durable; then it is restarted.
         */
        CRASH_AFTER_TRUNCATION,
        /**
         * One direction of one broker pair cut (the victim, a follower, and its partition's leader; which way comes
         * from the seed) past {@code replica.lag.time.max.ms}; clients and the third broker pass.
         */
        PEER_ONE_WAY_CUT,
        /** Both directions between a follower and its partition's leader delayed 100-350 ms per chunk. */
        PEER_DELAY,
        /** Only with a size-limited log directory ({@link FaultCluster#diskLimitedBroker()}), always that broker. */
        DISK_FULL,
        /**
         * Only with a {@link TxnWorkload}: kill -9 of the transaction coordinator of one producer's transactional id
         * while that producer commits, either right after {@code commitTransaction} returned (before the markers are
         * all written, usually) or 0-24 ms after it was called (EndTxn in flight).
         */
        TXN_COORDINATOR_KILL,
        /**
         * Only with a {@link TxnWorkload}: kill -9 of the leader of a partition that one producer's open transaction
         * has just written to (records flushed, no commit or abort requested yet).
         */
        TXN_LEADER_KILL
    }

    /** What the faults are checked against: a workload's acknowledgements (records, or committed transactions). */
    interface Progress {
        long ackCount();

        /** The earliest acknowledgement (nanoTime) of something sent at or after {@code sinceNanos} to the partitions, or -1. */
        long firstAckSentAfter(long sinceNanos, java.util.Collection<Integer> partitions);
    }

    private static final java.util.Set<Kind> TXN_KINDS =
            java.util.EnumSet.of(Kind.TXN_COORDINATOR_KILL, Kind.TXN_LEADER_KILL);

    /** Whom a fault hits. */
    enum Role {
        LEADER,
        FOLLOWER,
        CONTROLLER
    }

    /**
     * The faults that stop a leader outright, so no acknowledgement can come from it until the controller has moved
     * leadership (or the broker is back): their failover time is measured. A ZooKeeper link cut is not among them:
     * the cut-off leader may keep acknowledging, correctly, while its followers still fetch from it.
     */
    private static final java.util.Set<Kind> FAILOVER_KINDS =
            java.util.EnumSet.of(Kind.KILL_9, Kind.SIGSTOP, Kind.TXN_COORDINATOR_KILL, Kind.TXN_LEADER_KILL);

    private static final long HEAL_TIMEOUT_MS = 90_000;

    private final FaultCluster cluster;
    private final Progress workload;
    private final TxnWorkload txn;
    private Map<String, Integer> healthTopics;
    private final Map<String, Integer> injectedKinds = new java.util.TreeMap<>();
    private final String topic;
    private final int partitions;
    private final long seed;
    private final Random random;
    private final long startNanos = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private final List<Long> failoverMs = new ArrayList<>();
    private int kindOffset;
    private final List<Kind> kinds;
    private int restartsAfterDiskFull;
    private int haltsAfterTruncation;

    FaultSchedule(FaultCluster cluster, Workload workload, String topic, int partitions, long seed) {
        this(cluster, workload, null, topic, partitions, seed);
    }

    /**
     * With a {@link TxnWorkload} ({@code txn} not null, {@code workload} is then that too) the transactional kinds join
     * the rotation and {@code __transaction_state} (of {@code txnStatePartitions}) must be whole too after each fault.
     */
    FaultSchedule(
            FaultCluster cluster, TxnWorkload txn, int txnStatePartitions, String topic, int partitions, long seed) {
        this(cluster, txn, txn, topic, partitions, seed);
        this.healthTopics = Map.of(topic, partitions, TXN_STATE, txnStatePartitions);
    }

    private FaultSchedule(
            FaultCluster cluster, Progress workload, TxnWorkload txn, String topic, int partitions, long seed) {
        this.cluster = cluster;
        this.workload = workload;
        this.txn = txn;
        this.healthTopics = Map.of(topic, partitions);
        this.topic = topic;
        this.partitions = partitions;
        this.seed = seed;
        this.random = new Random(seed);
        this.kinds = new ArrayList<>(List.of(Kind.values()));
        if (cluster.diskLimitedBroker() < 0) {
            kinds.remove(Kind.DISK_FULL);
        }
        if (txn == null) {
            kinds.removeAll(TXN_KINDS); // the rotation (and the seed's draws) of the record workload stay as they were
        }
        this.kindOffset = random.nextInt(kinds.size());
    }

    List<String> timeline() {
        return timeline;
    }

    /** Restricts the rotation to {@code only} (kinds the cluster cannot do stay out). */
    FaultSchedule only(java.util.Set<Kind> only) {
        kinds.retainAll(only);
        return this;
    }

    /**
     * Adds {@code kind} {@code extra} more times to the rotation (next to it), so it comes up more often.
     */
    FaultSchedule weigh(Kind kind, int extra) {
        int at = kinds.indexOf(kind);
        for (int i = 0; i < extra && at >= 0; i++) {
            kinds.add(at, kind);
        }
        return this;
    }

    /** How many faults of each kind were injected. */
    Map<String, Integer> injectedKinds() {
        return injectedKinds;
    }

    /** How often a broker had to be restarted to rejoin after its disk had room again. */
    int restartsAfterDiskFull() {
        return restartsAfterDiskFull;
    }

    /** How many CRASH_AFTER_TRUNCATION faults really halted their broker right after a truncation. */
    int haltsAfterTruncation() {
        return haltsAfterTruncation;
    }

    List<Long> failoverMs() {
        return failoverMs;
    }

    /** Runs {@code count} faults; fails (with seed and timeline) if the cluster does not heal after one. */
    void run(int count) throws Exception {
        for (int i = 0; i < count; i++) {
            Kind kind = kinds.get((i + kindOffset) % kinds.size()); // kinds.size() may have shrunk: still a rotation
            Role role = Role.values()[random.nextInt(Role.values().length)];
            int partition = random.nextInt(partitions);
            long holdMs = 500 + random.nextInt(2000);
            runOne(i, kind, role, partition, holdMs);
        }
    }

    /** The other broker of a pair fault (the partition's leader), else -1. */
    private int peer = -1;

    private void runOne(int index, Kind kind, Role role, int partition, long holdMs) throws Exception {
        peer = -1;
        injectedKinds.merge(kind.name(), 1, Integer::sum);
        int victim;
        List<Integer> led;
        long injected;
        if (TXN_KINDS.contains(kind)) {
            TxnFault fault = txnKill(index, kind, holdMs);
            victim = fault.victim();
            led = fault.led();
            injected = fault.injectedNanos();
        } else {
            if (kind == Kind.CRASH_AFTER_TRUNCATION) {
                role = Role.LEADER;
            } else if (kind == Kind.PEER_ONE_WAY_CUT || kind == Kind.PEER_DELAY) {
                role = Role.FOLLOWER;
                peer = cluster.partition(topic, partition).leader();
            }
            victim = kind == Kind.DISK_FULL ? cluster.diskLimitedBroker() : victim(role, partition);
            led = ledBy(victim);
            note("fault " + index + ": " + kind + " of broker " + victim + (peer > 0 ? " and broker " + peer : "")
                    + " (" + role + " for partition " + partition + ", leads " + led + "), hold " + holdMs + " ms");
            injected = inject(kind, victim, holdMs);
        }
        long healed = System.nanoTime();
        if (kind == Kind.DISK_FULL && !cluster.awaitHealthy(healthTopics, 20_000)) {
            restartsAfterDiskFull++;
            note("broker " + victim + " is not back in sync 20 s after its disk has room again: restarting it ("
                    + describe() + ")");
            cluster.kill(victim);
            cluster.startBroker(victim);
        }
        if (!cluster.awaitHealthy(healthTopics, HEAL_TIMEOUT_MS)) {
            fail("cluster did not heal within " + HEAL_TIMEOUT_MS + " ms after fault " + index + ": " + describe());
        }
        awaitAckAfter(healed, index);
        String failover = "";
        if (!led.isEmpty() && FAILOVER_KINDS.contains(kind)) {
            long firstAck = workload.firstAckSentAfter(injected, led);
            if (firstAck > 0) {
                long ms = TimeUnit.NANOSECONDS.toMillis(firstAck - injected);
                failoverMs.add(ms);
                failover = ", failover " + ms + " ms";
            }
        }
        note("healed: " + describe() + ", acks so far " + workload.ackCount() + failover);
    }

    /** The victim of a transactional fault, the partitions it led, and when it was killed (nanoTime). */
    private record TxnFault(int victim, List<Integer> led, long injectedNanos) {}

    private static final String TXN_STATE = "__transaction_state";
    private final Map<String, Integer> txnHooks = new java.util.TreeMap<>();

    /** How the transactional faults hit: per hook phase, how many fired in a transaction (or fell back). */
    Map<String, Integer> txnHooks() {
        return txnHooks;
    }

    /**
     * Arms a {@link TxnWorkload} hook on a seeded producer and phase whose action kills the victim (the coordinator of
     * the producer's id, or the leader of one of the partitions its open transaction wrote to) the moment the
     * transaction gets there; holds; restarts it. If the hook does not fire within 30 s the victim is killed anyway.
     */
    private TxnFault txnKill(int index, Kind kind, long holdMs) throws Exception {
        int producer = random.nextInt(TxnWorkload.PRODUCERS);
        boolean coordinator = kind == Kind.TXN_COORDINATOR_KILL;
        TxnWorkload.Phase phase = !coordinator
                ? TxnWorkload.Phase.OPEN
                : random.nextBoolean() ? TxnWorkload.Phase.AFTER_COMMIT : TxnWorkload.Phase.BEFORE_COMMIT;
        long delayMs = phase == TxnWorkload.Phase.BEFORE_COMMIT ? random.nextInt(25) : 0;
        int pick = random.nextInt(1 << 16);
        String id = TxnWorkload.transactionalId(producer);
        note("fault " + index + ": " + kind + " for " + id + " at " + phase
                + (delayMs > 0 ? " + " + delayMs + " ms" : "") + ", hold " + holdMs + " ms");
        java.util.concurrent.atomic.AtomicReference<TxnFault> fault =
                new java.util.concurrent.atomic.AtomicReference<>();
        TxnWorkload.Hook hook = txn.arm(producer, phase, delayMs, (txnId, written) -> {
            int victim = coordinator ? coordinatorOf(txnId) : leaderOfOne(written, pick);
            List<Integer> led = ledBy(victim);
            cluster.kill(victim);
            fault.set(new TxnFault(victim, led, System.nanoTime()));
        });
        String hit;
        try {
            hit = "transaction " + hook.fired().get(30, TimeUnit.SECONDS);
            txnHooks.merge(phase.name(), 1, Integer::sum);
        } catch (java.util.concurrent.TimeoutException notYet) {
            if (txn.disarm(hook)) {
                int victim = coordinator
                        ? coordinatorOf(id)
                        : leaderOfOne(
                                java.util.stream.IntStream.range(0, partitions)
                                        .boxed()
                                        .toList(),
                                pick);
                List<Integer> led = ledBy(victim);
                cluster.kill(victim);
                fault.set(new TxnFault(victim, led, System.nanoTime()));
                hit = "no transaction (the hook did not fire within 30 s)";
                txnHooks.merge(phase.name() + "_FALLBACK", 1, Integer::sum);
            } else {
                hit = "transaction " + hook.fired().get(60, TimeUnit.SECONDS);
                txnHooks.merge(phase.name(), 1, Integer::sum);
            }
        }
        TxnFault done = fault.get();
        note("killed broker " + done.victim() + " (leads " + done.led() + ") at " + hit);
        Thread.sleep(holdMs);
        cluster.startBroker(done.victim());
        return done;
    }

    /** The broker leading the {@code __transaction_state} partition of the id (Kafka's partitioning), else broker 1. */
    private int coordinatorOf(String transactionalId) throws Exception {
        int partition =
                org.apache.kafka.common.utils.Utils.abs(transactionalId.hashCode()) % healthTopics.get(TXN_STATE);
        FaultCluster.PartitionView view = cluster.partition(TXN_STATE, partition);
        return view == null || view.leader() < 0 ? cluster.ids().get(0) : view.leader();
    }

    private int leaderOfOne(java.util.Collection<Integer> written, int pick) throws Exception {
        List<Integer> sorted = written.stream().sorted().toList();
        FaultCluster.PartitionView view = cluster.partition(topic, sorted.get(pick % sorted.size()));
        return view == null || view.leader() < 0 ? cluster.ids().get(0) : view.leader();
    }

    private String describe() throws Exception {
        return cluster.describe(topic, partitions)
                + (txn == null ? "" : " " + TXN_STATE + " leaders " + txnStateLeaders());
    }

    private List<Integer> txnStateLeaders() throws Exception {
        List<Integer> leaders = new ArrayList<>();
        for (int p = 0; p < healthTopics.get(TXN_STATE); p++) {
            FaultCluster.PartitionView view = cluster.partition(TXN_STATE, p);
            leaders.add(view == null ? -1 : view.leader());
        }
        return leaders;
    }

    /** Injects, holds and heals one fault; returns when it took effect (nanoTime, after the kill or signal). */
    private long inject(Kind kind, int victim, long holdMs) throws Exception {
        long pastSession = FaultCluster.SESSION_TIMEOUT_MS + holdMs;
        long injected = System.nanoTime();
        switch (kind) {
            case KILL_9 -> {
                cluster.kill(victim);
                injected = System.nanoTime();
                Thread.sleep(holdMs);
                cluster.startBroker(victim);
            }
            case SIGSTOP -> {
                cluster.pause(victim);
                injected = System.nanoTime();
                Thread.sleep(pastSession);
                cluster.resume(victim);
            }
            case ZK_LINK_CUT -> {
                cluster.zkLink(victim).blackhole(true, true);
                Thread.sleep(pastSession);
                cluster.zkLink(victim).heal();
            }
            case ZK_LINK_DROP -> {
                cluster.zkLink(victim).resetAll();
                Thread.sleep(holdMs);
            }
            case INBOUND_ONE_WAY_CUT -> {
                cluster.inboundLink(victim).blackhole(false, true);
                Thread.sleep(pastSession);
                cluster.inboundLink(victim).heal();
            }
            case DISK_FULL -> {
                long before = cluster.outputLines(victim, "No space left");
                cluster.fillDisk();
                Thread.sleep(pastSession);
                cluster.freeDisk();
                note("broker " + victim + " logged " + (cluster.outputLines(victim, "No space left") - before)
                        + " 'No space left' lines while its disk was full");
                if (!cluster.running(victim)) {
                    note("broker " + victim + " exited on the full disk: starting it again");
                    cluster.startBroker(victim);
                }
            }
            case CRASH_AFTER_TRUNCATION -> crashAfterTruncation(victim, holdMs);
            case PEER_ONE_WAY_CUT -> {
                boolean followerToLeader = random.nextBoolean();
                int from = followerToLeader ? victim : peer;
                int to = followerToLeader ? peer : victim;
                note("cutting broker " + from + " -> broker " + to + " only");
                cluster.peerLink(from, to, true, 0);
                Thread.sleep(2L * FaultCluster.SESSION_TIMEOUT_MS + holdMs);
                cluster.healPeerLink(from, to);
            }
            case PEER_DELAY -> {
                cluster.peerLink(victim, peer, false, 100 + holdMs / 10); // both ways: the delay is per connection
                Thread.sleep(FaultCluster.SESSION_TIMEOUT_MS + holdMs);
                cluster.healPeerLink(victim, peer);
            }
            case INBOUND_DELAY -> {
                cluster.inboundLink(victim).delay(50 + holdMs / 10);
                Thread.sleep(pastSession);
                cluster.inboundLink(victim).heal();
            }
        }
        return injected;
    }

    /**
     * The leader keeps appending (requests reach it) while no follower or client gets its responses; half a second
     * later it also loses ZooKeeper, so its session expires and leadership moves. Healed, it finds it has records its
     * new leader does not and truncates them; the armed fault point halts it right after the truncation is durable.
     */
    private void crashAfterTruncation(int victim, long holdMs) throws Exception {
        cluster.haltAfterTruncation(victim, true);
        try {
            cluster.inboundLink(victim).blackhole(false, true);
            Thread.sleep(500);
            cluster.zkLink(victim).blackhole(true, true);
            Thread.sleep(FaultCluster.SESSION_TIMEOUT_MS + holdMs);
            cluster.zkLink(victim).heal();
            cluster.inboundLink(victim).heal();
            int exit = cluster.awaitExit(victim, 20_000);
            if (exit == FaultCluster.HALTED_AFTER_TRUNCATION) {
                haltsAfterTruncation++;
                note("broker " + victim + " halted right after a truncation ("
                        + cluster.outputLine(victim, "HALT after truncating") + "): restarting it");
            } else {
                note("broker " + victim + " did not halt within 20 s of healing (exit " + exit
                        + "): no truncation removed records");
            }
        } finally {
            cluster.haltAfterTruncation(victim, false);
        }
        if (!cluster.running(victim)) {
            cluster.kill(victim);
            cluster.startBroker(victim);
        }
    }

    private int victim(Role role, int partition) throws Exception {
        FaultCluster.PartitionView view = cluster.partition(topic, partition);
        List<Integer> ids = cluster.ids();
        return switch (role) {
            case LEADER -> view.leader();
            case FOLLOWER -> {
                // A replica of the partition (with 5 brokers not every broker is one), else any other broker.
                List<Integer> followers =
                        view.isr().stream().filter(id -> id != view.leader()).toList();
                if (followers.isEmpty()) {
                    followers = ids.stream().filter(id -> id != view.leader()).toList();
                }
                yield followers.get(random.nextInt(followers.size()));
            }
            case CONTROLLER -> {
                int controller = cluster.controller();
                yield controller > 0 ? controller : ids.get(random.nextInt(ids.size()));
            }
        };
    }

    private List<Integer> ledBy(int broker) throws Exception {
        List<Integer> led = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (cluster.partition(topic, p).leader() == broker) {
                led.add(p);
            }
        }
        return led;
    }

    private void awaitAckAfter(long sinceNanos, int index) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEAL_TIMEOUT_MS);
        List<Integer> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(p);
        }
        while (workload.firstAckSentAfter(sinceNanos, all) < 0) {
            if (System.nanoTime() > deadline) {
                fail("no record acknowledged within " + HEAL_TIMEOUT_MS + " ms after fault " + index + " healed");
            }
            Thread.sleep(50);
        }
    }

    void note(String text) {
        String line = String.format("+%8.3fs %s", (System.nanoTime() - startNanos) / 1e9, text);
        timeline.add(line);
        System.out.println("[fault seed " + seed + "] " + line);
    }

    private void fail(String text) {
        throw new AssertionError(failureReport(text));
    }

    /** The seed, the reason and the whole timeline, for an assertion message. */
    String failureReport(String reason) {
        return "seed " + seed + ": " + reason + "\nfault timeline (rerun with -Dskein.fault.seed=" + seed + "):\n"
                + String.join("\n", timeline);
    }
}
