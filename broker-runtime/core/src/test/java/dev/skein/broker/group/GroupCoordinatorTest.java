package dev.skein.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The classic group state machine with a manual clock, an in-memory offsets log and manually fired timers. */
class GroupCoordinatorTest {
    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;
    private static final long RETENTION_MS = 60_000;

    private final ManualTime time = new ManualTime();
    private final ManualTimer timer = new ManualTimer();
    private final MemoryCoordinatorLog log = new MemoryCoordinatorLog();
    private GroupCoordinator coordinator;

    @BeforeEach
    void start() {
        coordinator = newCoordinator();
        coordinator.onBecomeLeader(0);
    }

    private GroupCoordinator newCoordinator() {
        GroupConfig config = new GroupConfig(1, (short) 1, 1 << 20, RETENTION_MS, 1000, 4096, 0, 1, 100_000, 100);
        return new GroupCoordinator(config, () -> 1, log, timer, Runnable::run, time);
    }

    /** Fires due timers in deadline order after moving the clock. */
    private final class ManualTimer implements GroupTimer {
        private record Task(long deadline, Runnable run) {}

        private final Map<String, Task> tasks = new HashMap<>();

        @Override
        public void schedule(String name, long delayMs, Runnable task) {
            tasks.put(name, new Task(time.milliseconds() + delayMs, task));
            if (delayMs == 0) {
                advance(0);
            }
        }

        @Override
        public void cancel(String name) {
            tasks.remove(name);
        }

        void advance(long ms) {
            time.sleep(ms);
            while (true) {
                Map.Entry<String, Task> due = tasks.entrySet().stream()
                        .filter(e -> e.getValue().deadline() <= time.milliseconds())
                        .min(Comparator.comparingLong(e -> e.getValue().deadline()))
                        .orElse(null);
                if (due == null) {
                    return;
                }
                tasks.remove(due.getKey());
                due.getValue().run().run();
            }
        }
    }

    private CompletableFuture<JoinGroupResult> join(String memberId, String instanceId, String protocol) {
        return coordinator.joinGroup(new JoinGroupParams(
                "g",
                memberId,
                instanceId,
                "client",
                "/127.0.0.1",
                "consumer",
                List.of(new MemberProtocol(protocol, protocol.getBytes(StandardCharsets.UTF_8))),
                SESSION_MS,
                REBALANCE_MS,
                true,
                true));
    }

    private JoinGroupResult joinNew(String instanceId) {
        JoinGroupResult first = join("", instanceId, "range").join();
        if (first.error() == Errors.MEMBER_ID_REQUIRED) {
            return join(first.memberId(), instanceId, "range").join();
        }
        return first;
    }

    private SyncGroupResult sync(JoinGroupResult joined, Map<String, byte[]> assignments) {
        return coordinator
                .syncGroup(new SyncGroupParams(
                        "g", joined.memberId(), null, joined.generationId(), null, null, assignments))
                .join();
    }

    @Test
    void newDynamicMemberFirstGetsMemberIdRequired() {
        JoinGroupResult first = join("", null, "range").join();
        assertThat(first.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(first.memberId()).startsWith("client-");

        JoinGroupResult second = join(first.memberId(), null, "range").join();
        assertThat(second.error()).isEqualTo(Errors.NONE);
        assertThat(second.generationId()).isEqualTo(1);
        assertThat(second.leaderId()).isEqualTo(first.memberId());
        assertThat(second.members()).hasSize(1);
        assertThat(sync(second, Map.of(second.memberId(), new byte[] {7})).assignment())
                .containsExactly(7);
        assertThat(coordinator.describeGroup("g").state()).isEqualTo("Stable");
    }

    @Test
    void secondMemberTriggersRebalanceThatWaitsForTheFirstToRejoin() {
        JoinGroupResult a = joinNew(null);
        sync(a, Map.of(a.memberId(), new byte[] {1}));
        CompletableFuture<JoinGroupResult> b =
                join(join("", null, "range").join().memberId(), null, "range");
        assertThat(b).isNotDone();
        assertThat(coordinator.heartbeat("g", a.memberId(), null, a.generationId()))
                .isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResult aAgain = join(a.memberId(), null, "range").join();
        assertThat(b).isDone();
        assertThat(aAgain.generationId()).isEqualTo(2).isEqualTo(b.join().generationId());
        assertThat(aAgain.members()).hasSize(2);
        assertThat(coordinator.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.ILLEGAL_GENERATION);
    }

    @Test
    void memberWithoutHeartbeatIsExpiredAfterTheSessionTimeout() {
        JoinGroupResult a = joinNew(null);
        sync(a, Map.of(a.memberId(), new byte[] {1}));
        timer.advance(SESSION_MS - 1);
        assertThat(coordinator.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.NONE);
        timer.advance(SESSION_MS - 1);
        assertThat(coordinator.describeGroup("g").members()).hasSize(1);
        timer.advance(1);
        assertThat(coordinator.describeGroup("g").state()).isEqualTo("Empty");
        assertThat(coordinator.heartbeat("g", a.memberId(), null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void memberThatDoesNotRejoinIsRemovedAfterTheRebalanceTimeout() {
        JoinGroupResult a = joinNew(null);
        sync(a, Map.of(a.memberId(), new byte[0]));
        CompletableFuture<JoinGroupResult> b =
                join(join("", null, "range").join().memberId(), null, "range");
        for (int elapsed = 0; elapsed < REBALANCE_MS - SESSION_MS; elapsed += SESSION_MS / 2) {
            timer.advance(SESSION_MS / 2);
            coordinator.heartbeat("g", a.memberId(), null, a.generationId()); // alive but never rejoins
        }
        assertThat(b).isNotDone();
        timer.advance(SESSION_MS);
        assertThat(b.join().error()).isEqualTo(Errors.NONE);
        assertThat(b.join().members())
                .extracting(JoinGroupResult.JoinedMember::memberId)
                .containsExactly(b.join().memberId());
    }

    @Test
    void staticMemberReplacementKeepsTheAssignmentAndFencesTheOldInstance() {
        JoinGroupResult old = joinNew("instance-1");
        sync(old, Map.of(old.memberId(), new byte[] {9}));
        JoinGroupResult replacement = join("", "instance-1", "range").join();
        assertThat(replacement.error()).isEqualTo(Errors.NONE);
        assertThat(replacement.memberId()).isNotEqualTo(old.memberId());
        assertThat(replacement.generationId()).isEqualTo(old.generationId());
        assertThat(replacement.skipAssignment()).isTrue();
        assertThat(coordinator.heartbeat("g", old.memberId(), "instance-1", old.generationId()))
                .isEqualTo(Errors.FENCED_INSTANCE_ID);
        SyncGroupResult synced = coordinator
                .syncGroup(new SyncGroupParams(
                        "g", replacement.memberId(), "instance-1", replacement.generationId(), null, null, Map.of()))
                .join();
        assertThat(synced.assignment()).containsExactly(9);
    }

    @Test
    void groupsAndOffsetsAreRebuiltFromTheLog() {
        JoinGroupResult a = joinNew(null);
        sync(a, Map.of(a.memberId(), new byte[] {3}));
        TopicPartition tp = new TopicPartition("t", 0);
        assertThat(coordinator
                        .commitOffsets(
                                "g",
                                a.memberId(),
                                null,
                                a.generationId(),
                                Map.of(tp, new CommittedOffset(42, 5, "m", -1)))
                        .join())
                .containsEntry(tp, Errors.NONE);

        GroupCoordinator restarted = newCoordinator();
        assertThat(restarted.checkCoordinator("g")).isEqualTo(Errors.NOT_COORDINATOR);
        restarted.onBecomeLeader(0);
        CommittedOffset loaded =
                restarted.fetchOffsets("g", List.of(tp)).getValue().get(tp);
        assertThat(loaded.offset()).isEqualTo(42);
        assertThat(loaded.leaderEpoch()).isEqualTo(5);
        assertThat(loaded.metadata()).isEqualTo("m");
        GroupDescription description = restarted.describeGroup("g");
        assertThat(description.state()).isEqualTo("Stable");
        assertThat(description.members()).singleElement().satisfies(m -> assertThat(m.assignment())
                .containsExactly(3));
    }

    @Test
    void offsetsOfAnEmptyGroupExpireAfterTheRetentionAndStayDeletedAfterReload() {
        JoinGroupResult a = joinNew(null);
        sync(a, Map.of(a.memberId(), new byte[0]));
        TopicPartition tp = new TopicPartition("t", 1);
        coordinator.commitOffsets(
                "g", a.memberId(), null, a.generationId(), Map.of(tp, new CommittedOffset(7, -1, "", -1)));
        assertThat(coordinator.leaveGroup("g", List.of(new MemberIdentity(a.memberId(), null))))
                .containsExactly(Errors.NONE, Errors.NONE);
        assertThat(coordinator.describeGroup("g").state()).isEqualTo("Empty");

        timer.advance(RETENTION_MS - 1);
        assertThat(coordinator.expireOffsets()).isZero();
        timer.advance(1);
        assertThat(coordinator.expireOffsets()).isEqualTo(1);
        assertThat(coordinator.fetchOffsets("g", List.of(tp)).getValue().get(tp))
                .isNull();
        assertThat(coordinator.describeGroup("g").error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);

        GroupCoordinator restarted = newCoordinator();
        restarted.onBecomeLeader(0);
        assertThat(restarted.fetchOffsets("g", List.of(tp)).getValue().get(tp)).isNull();
        assertThat(restarted.listGroups(java.util.Set.of()).getValue()).isEmpty();
    }

    @Test
    void deletingAGroupWithMembersIsRefused() {
        JoinGroupResult a = joinNew(null);
        sync(a, Map.of(a.memberId(), new byte[0]));
        assertThat(coordinator.deleteGroups(List.of("g", "unknown")).join())
                .containsEntry("g", Errors.NON_EMPTY_GROUP)
                .containsEntry("unknown", Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void loadingPartitionAnswersLoadInProgress() {
        GroupCoordinator loading = new GroupCoordinator(
                new GroupConfig(1, (short) 1, 1 << 20, RETENTION_MS, 1000, 4096, 0, 1, 100_000, 100),
                () -> 1,
                log,
                timer,
                task -> {},
                time);
        loading.onBecomeLeader(0);
        assertThat(loading.heartbeat("g", "m", null, 1)).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
    }
}
