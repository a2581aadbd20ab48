package dev.skein.broker.group;

import dev.skein.broker.group.GroupRecords.GroupSnapshot;
import dev.skein.broker.group.GroupRecords.MemberSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Persistence of classic groups: writes a group's metadata (generation, protocol, leader, members with their
 * subscriptions and assignments) as one record to its {@code __consumer_offsets} partition, and maps a failed write to
 * the error the client gets. (Transactional offset commits write through {@link TransactionalOffsets}.)
 *
 * <p>Threading: callers hold the group's monitor while the snapshot is taken; the returned future completes on
 * whichever thread the {@link CoordinatorLog} completes it (callers re-take the group lock in their callbacks).
 */
final class GroupStore {
    private final CoordinatorLog coordinatorLog;
    private final Time time;

    GroupStore(CoordinatorLog coordinatorLog, Time time) {
        this.coordinatorLog = coordinatorLog;
        this.time = time;
    }

    /** Writes the group's current metadata (with the members' current assignments). */
    CompletableFuture<Void> store(ClassicGroup group) {
        Map<String, byte[]> assignments = new HashMap<>();
        group.members().forEach(m -> assignments.put(m.memberId(), m.assignment()));
        return store(group, assignments);
    }

    CompletableFuture<Void> store(ClassicGroup group, Map<String, byte[]> assignments) {
        List<MemberSnapshot> members = new ArrayList<>();
        for (GroupMember m : group.members()) {
            byte[] subscription = group.protocolName() == null ? null : m.metadata(group.protocolName());
            members.add(new MemberSnapshot(
                    m.memberId(),
                    m.groupInstanceId(),
                    m.clientId(),
                    m.clientHost(),
                    m.rebalanceTimeoutMs(),
                    m.sessionTimeoutMs(),
                    subscription == null ? new byte[0] : subscription,
                    assignments.getOrDefault(m.memberId(), new byte[0])));
        }
        GroupSnapshot snapshot = new GroupSnapshot(
                group.protocolType(),
                group.generationId(),
                group.protocolName(),
                group.leaderId(),
                group.stateTimestampMs(),
                members);
        return coordinatorLog.append(
                group.offsetsPartition(),
                List.of(GroupRecords.groupMetadata(group.groupId(), snapshot, time.milliseconds())));
    }

    /** The error a client gets when writing group metadata failed, as Kafka maps it. */
    static Errors appendError(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        Errors e = Errors.forException(cause);
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION,
                    NOT_ENOUGH_REPLICAS,
                    NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                    REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> e;
        };
    }
}
