package dev.skein.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transactional offset commits in the group coordinator: pending until the transaction's marker, materialized on
 * COMMIT, dropped on ABORT, rebuilt from the log on load, and the KIP-447 member checks. In-memory offsets log, manual
 * clock.
 */
class TransactionalOffsetsTest {
    private static final TopicPartition TP = new TopicPartition("input", 0);
    private static final TopicPartition OFFSETS_0 = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0);
    private static final long PRODUCER = 1000L;
    private static final short EPOCH = 3;

    private final ManualTime time = new ManualTime();
    private final MemoryCoordinatorLog log = new MemoryCoordinatorLog();
    private GroupCoordinator coordinator;

    /** Runs only tasks due now (the group's initial-delay join completion); the tests never expire sessions. */
    private static final GroupTimer IMMEDIATE_ONLY = new GroupTimer() {
        @Override
        public void schedule(String name, long delayMs, Runnable task) {
            if (delayMs == 0) {
                task.run();
            }
        }

        @Override
        public void cancel(String name) {}
    };

    @BeforeEach
    void start() {
        coordinator = newCoordinator(Runnable::run);
        coordinator.onBecomeLeader(0);
    }

    private GroupCoordinator newCoordinator(Executor loader) {
        GroupConfig config = new GroupConfig(1, (short) 1, 1 << 20, 60_000, 1000, 4096, 0, 1, 100_000, 100);
        return new GroupCoordinator(config, () -> 1, log, IMMEDIATE_ONLY, loader, time);
    }

    private Errors txnCommit(GroupCoordinator c, long producerId, long offset) {
        return txnCommit(c, producerId, "", null, -1, offset);
    }

    private Errors txnCommit(
            GroupCoordinator c, long producerId, String memberId, String instanceId, int generation, long offset) {
        return c.commitTransactionalOffsets(
                        "g",
                        producerId,
                        EPOCH,
                        memberId,
                        instanceId,
                        generation,
                        Map.of(TP, new CommittedOffset(offset, 1, "m", -1)))
                .join()
                .get(TP);
    }

    private Errors plainCommit(long offset) {
        return coordinator
                .commitOffsets("g", "", null, -1, Map.of(TP, new CommittedOffset(offset, 1, "", -1)))
                .join()
                .get(TP);
    }

    private static Long committed(GroupCoordinator c) {
        CommittedOffset o = c.fetchOffsets("g", List.of(TP), false).offsets().get(TP);
        return o == null ? null : o.offset();
    }

    private static boolean unstable(GroupCoordinator c) {
        FetchedOffsets fetched = c.fetchOffsets("g", List.of(TP), true);
        assertThat(fetched.error()).isEqualTo(Errors.NONE);
        return fetched.unstable().contains(TP);
    }

    /** Writes the marker to the log and tells the coordinator it is committed, as the partition leader does. */
    private void marker(long producerId, boolean commit) {
        log.marker(producerId, commit);
        coordinator.onMarkerCommitted(OFFSETS_0, producerId, EPOCH, commit);
    }

    @Test
    void offsetsStayPendingUntilTheCommitMarkerAndAreWrittenAsTheProducersTransactionalBatch() {
        assertThat(plainCommit(5)).isEqualTo(Errors.NONE);
        assertThat(txnCommit(coordinator, PRODUCER, 10)).isEqualTo(Errors.NONE);

        MemoryCoordinatorLog.Entry written = log.entries.get(log.entries.size() - 1);
        assertThat(written.producerId()).isEqualTo(PRODUCER);
        assertThat(written.producerEpoch()).isEqualTo(EPOCH);
        assertThat(committed(coordinator)).as("not visible before the marker").isEqualTo(5L);
        assertThat(unstable(coordinator))
                .as("require_stable sees the open transaction")
                .isTrue();
        assertThat(coordinator.fetchOffsets("g", List.of(TP), false).unstable())
                .as("only reported when asked")
                .isEmpty();

        marker(PRODUCER, true);

        assertThat(committed(coordinator)).isEqualTo(10L);
        assertThat(unstable(coordinator)).isFalse();
    }

    @Test
    void abortMarkerDropsThePendingOffsets() {
        plainCommit(5);
        txnCommit(coordinator, PRODUCER, 10);

        marker(PRODUCER, false);

        assertThat(committed(coordinator)).isEqualTo(5L);
        assertThat(unstable(coordinator)).isFalse();
    }

    @Test
    void markersOfOtherProducersOrTopicsLeaveThePendingOffsetsAlone() {
        txnCommit(coordinator, PRODUCER, 10);

        marker(PRODUCER + 1, true);
        coordinator.onMarkerCommitted(new TopicPartition("input", 0), PRODUCER, EPOCH, true);

        assertThat(committed(coordinator)).isNull();
        assertThat(unstable(coordinator)).isTrue();
    }

    @Test
    void aPlainCommitWrittenAfterTheTransactionalOneWinsWhenTheTransactionCommits() {
        txnCommit(coordinator, PRODUCER, 10);
        plainCommit(20);
        marker(PRODUCER, true);
        assertThat(committed(coordinator)).isEqualTo(20L);

        txnCommit(coordinator, PRODUCER, 30);
        marker(PRODUCER, true);
        assertThat(committed(coordinator)).as("written after the plain commit").isEqualTo(30L);
    }

    @Test
    void loadMaterializesCommittedTransactionsDropsAbortedOnesAndKeepsOpenOnesPending() {
        txnCommit(coordinator, PRODUCER, 10);
        marker(PRODUCER, true);
        txnCommit(coordinator, PRODUCER, 11);
        marker(PRODUCER, false);
        plainCommit(12);
        txnCommit(coordinator, PRODUCER + 1, 13); // open: its marker is not in the log yet

        GroupCoordinator restarted = newCoordinator(Runnable::run);
        restarted.onBecomeLeader(0);

        assertThat(committed(restarted)).isEqualTo(12L);
        assertThat(unstable(restarted)).isTrue();
        restarted.onMarkerCommitted(OFFSETS_0, PRODUCER + 1, EPOCH, true);
        assertThat(committed(restarted)).isEqualTo(13L);
        assertThat(unstable(restarted)).isFalse();
    }

    @Test
    void loadKeepsAPlainCommitWrittenAfterACommittedTransactionalOne() {
        txnCommit(coordinator, PRODUCER, 10);
        plainCommit(20);
        marker(PRODUCER, true);

        GroupCoordinator restarted = newCoordinator(Runnable::run);
        restarted.onBecomeLeader(0);

        assertThat(committed(restarted)).isEqualTo(20L);
    }

    @Test
    void aMarkerCommittedWhileThePartitionLoadsIsAppliedOnceLoaded() {
        txnCommit(coordinator, PRODUCER, 10);
        List<Runnable> loads = new ArrayList<>();
        GroupCoordinator next = newCoordinator(loads::add);
        next.onBecomeLeader(0);
        loads.forEach(Runnable::run); // replays the log: the marker is not in it yet
        assertThat(unstable(next)).isTrue();

        List<Runnable> slowLoads = new ArrayList<>();
        GroupCoordinator slow = newCoordinator(slowLoads::add);
        slow.onBecomeLeader(0);
        slow.onMarkerCommitted(OFFSETS_0, PRODUCER, EPOCH, true); // arrives before the replay ran
        assertThat(slow.fetchOffsets("g", List.of(TP), true).error()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
        slowLoads.forEach(Runnable::run);

        assertThat(committed(slow)).isEqualTo(10L);
        assertThat(unstable(slow)).isFalse();
    }

    @Test
    void aFailedWriteLeavesNothingPending() {
        log.holdAppends();
        var pending = coordinator.commitTransactionalOffsets(
                "g", PRODUCER, EPOCH, "", null, -1, Map.of(TP, new CommittedOffset(10, 1, "", -1)));
        assertThat(unstable(coordinator)).as("pending from the append on").isTrue();

        log.fail(new NotLeaderOrFollowerException("moved"));

        assertThat(pending.join()).containsEntry(TP, Errors.NOT_COORDINATOR);
        assertThat(unstable(coordinator)).isFalse();
        marker(PRODUCER, true);
        assertThat(committed(coordinator)).isNull();
    }

    @Test
    void deletingTheOffsetDropsWhatOpenTransactionsCommittedForIt() {
        txnCommit(coordinator, PRODUCER, 10);
        assertThat(coordinator.deleteOffsets("g", List.of(TP)).join().getKey()).isEqualTo(Errors.NONE);
        marker(PRODUCER, true);
        assertThat(committed(coordinator)).isNull();
    }

    @Test
    void offsetsHeldByAnOpenTransactionDoNotExpire() {
        plainCommit(5);
        txnCommit(coordinator, PRODUCER, 10);
        time.sleep(60_000);
        assertThat(coordinator.expireOffsets()).isZero();
        marker(PRODUCER, true);
        assertThat(committed(coordinator)).isEqualTo(10L);
    }

    @Test
    void groupMetadataIsCheckedAsKip447Says() {
        JoinGroupResult member = joinAndSync("instance-1");
        int generation = member.generationId();

        assertThat(txnCommit(coordinator, PRODUCER, member.memberId(), "instance-1", generation, 1))
                .isEqualTo(Errors.NONE);
        assertThat(txnCommit(coordinator, PRODUCER, member.memberId(), "instance-1", generation + 1, 2))
                .isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(txnCommit(coordinator, PRODUCER, "someone-else", null, generation, 3))
                .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
        assertThat(txnCommit(coordinator, PRODUCER, "someone-else", "instance-1", generation, 4))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(txnCommit(coordinator, PRODUCER, "", null, -1, 5))
                .as("a producer without group metadata is not checked")
                .isEqualTo(Errors.NONE);
        marker(PRODUCER, true);
        assertThat(committed(coordinator)).isEqualTo(5L);
    }

    @Test
    void coordinatorErrorsComeFirst() {
        coordinator.onResign(0);
        assertThat(txnCommit(coordinator, PRODUCER, 1)).isEqualTo(Errors.NOT_COORDINATOR);
        GroupCoordinator loading = newCoordinator(task -> {});
        loading.onBecomeLeader(0);
        assertThat(txnCommit(loading, PRODUCER, 1)).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
    }

    private JoinGroupResult joinAndSync(String instanceId) {
        JoinGroupResult joined = join("", instanceId);
        if (joined.error() == Errors.MEMBER_ID_REQUIRED) {
            joined = join(joined.memberId(), instanceId);
        }
        assertThat(joined.error()).isEqualTo(Errors.NONE);
        coordinator
                .syncGroup(new SyncGroupParams(
                        "g",
                        joined.memberId(),
                        instanceId,
                        joined.generationId(),
                        null,
                        null,
                        Map.of(joined.memberId(), new byte[0])))
                .join();
        return joined;
    }

    private JoinGroupResult join(String memberId, String instanceId) {
        return coordinator
                .joinGroup(new JoinGroupParams(
                        "g",
                        memberId,
                        instanceId,
                        "client",
                        "/127.0.0.1",
                        "consumer",
                        List.of(new MemberProtocol("range", "range".getBytes(StandardCharsets.UTF_8))),
                        10_000,
                        30_000,
                        true,
                        true))
                .join();
    }
}
