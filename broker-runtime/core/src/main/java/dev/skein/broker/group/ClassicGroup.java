package dev.skein.broker.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * State of one classic group: its state machine position, generation, chosen protocol, leader, members (with the
 * static-instance index and the member ids handed out by MEMBER_ID_REQUIRED that have not joined yet) and its
 * committed offsets, and its transactional offsets waiting for their transaction's end.
 *
 * <p>Offset records are ordered by a position: the log offset of the record when it was read back from
 * {@code __consumer_offsets}, and a per-group counter continuing above the last one read for records written since
 * (appends of one group happen under its lock, so the counter follows their log order).
 *
 * <p>Threading: every read and write happens while holding this object's monitor ({@code synchronized (group)});
 * the coordinator never holds two group locks at once.
 */
final class ClassicGroup {
    private final String groupId;
    private final int offsetsPartition;
    private GroupState state = GroupState.EMPTY;
    private long stateTimestampMs;
    private int generationId;
    private String protocolType;
    private String protocolName;
    private String leaderId;
    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    private final Set<String> pendingMembers = new HashSet<>();
    private final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    /** Log position of the record holding each committed offset; see {@link #materialize}. */
    private final Map<TopicPartition, Long> offsetPositions = new HashMap<>();

    private final PendingTxnOffsets pendingTxnOffsets = new PendingTxnOffsets();
    private long lastPosition;
    private boolean newMemberAdded;
    private boolean initialDelayPending;
    private long rebalanceRound;

    ClassicGroup(String groupId, int offsetsPartition, long nowMs) {
        this.groupId = groupId;
        this.offsetsPartition = offsetsPartition;
        this.stateTimestampMs = nowMs;
    }

    String groupId() {
        return groupId;
    }

    int offsetsPartition() {
        return offsetsPartition;
    }

    GroupState state() {
        return state;
    }

    boolean is(GroupState s) {
        return state == s;
    }

    void transitionTo(GroupState next, long nowMs) {
        state = next;
        stateTimestampMs = nowMs;
    }

    long stateTimestampMs() {
        return stateTimestampMs;
    }

    int generationId() {
        return generationId;
    }

    String protocolType() {
        return protocolType;
    }

    String protocolName() {
        return protocolName;
    }

    String leaderId() {
        return leaderId;
    }

    boolean isLeader(String memberId) {
        return memberId.equals(leaderId);
    }

    /** Restores generation state read back from {@code __consumer_offsets}. */
    void restore(int generation, String type, String protocol, String leader, GroupState restored, long timestampMs) {
        this.generationId = generation;
        this.protocolType = type;
        this.protocolName = protocol;
        this.leaderId = leader;
        this.state = restored;
        this.stateTimestampMs = timestampMs;
    }

    /** Starts the next generation: the protocol all members support with the most votes, the leader kept if present. */
    void initNextGeneration(long nowMs) {
        generationId++;
        if (members.isEmpty()) {
            protocolName = null;
            leaderId = null;
            transitionTo(GroupState.EMPTY, nowMs);
        } else {
            protocolName = selectProtocol();
            if (leaderId == null || !members.containsKey(leaderId)) {
                leaderId = members.keySet().iterator().next();
            }
            transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
        }
    }

    /**
     * Each member votes for its most preferred protocol among those every member supports; the candidate with the
     * most votes wins (ties go to the one voted first).
     */
    String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (GroupMember member : members.values()) {
            for (MemberProtocol p : member.protocols()) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String best = null;
        int bestVotes = -1;
        for (Map.Entry<String, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    private Set<String> candidateProtocols() {
        Set<String> common = null;
        for (GroupMember member : members.values()) {
            Set<String> names = new HashSet<>();
            member.protocols().forEach(p -> names.add(p.name()));
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        return common == null ? Set.of() : common;
    }

    /** Whether a member with this protocol type and these protocols may join (shares a protocol with everyone). */
    boolean supportsProtocols(String type, List<MemberProtocol> protocols) {
        if (protocols.isEmpty() || type == null || type.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        Set<String> common = candidateProtocols();
        return protocols.stream().anyMatch(p -> common.contains(p.name()));
    }

    void add(GroupMember member, long nowMs) {
        if (members.isEmpty()) {
            protocolType = member.protocolType();
        }
        members.put(member.memberId(), member);
        if (member.isStatic()) {
            staticMembers.put(member.groupInstanceId(), member.memberId());
        }
        pendingMembers.remove(member.memberId());
        if (leaderId == null) {
            leaderId = member.memberId();
        }
    }

    void remove(String memberId) {
        GroupMember removed = members.remove(memberId);
        if (removed != null && removed.isStatic()) {
            staticMembers.remove(removed.groupInstanceId(), memberId);
        }
        if (memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    /** Puts {@code replacement} in the place of the static member it replaces, keeping leadership. */
    void replaceStatic(String oldMemberId, GroupMember replacement) {
        members.remove(oldMemberId);
        members.put(replacement.memberId(), replacement);
        staticMembers.put(replacement.groupInstanceId(), replacement.memberId());
        if (oldMemberId.equals(leaderId)) {
            leaderId = replacement.memberId();
        }
    }

    GroupMember member(String memberId) {
        return members.get(memberId);
    }

    boolean has(String memberId) {
        return members.containsKey(memberId);
    }

    Collection<GroupMember> members() {
        return members.values();
    }

    int size() {
        return members.size();
    }

    /** The member id currently registered for a static instance, or null. */
    String staticMemberId(String groupInstanceId) {
        return staticMembers.get(groupInstanceId);
    }

    Set<String> pendingMembers() {
        return pendingMembers;
    }

    boolean hasAllMembersJoined() {
        return pendingMembers.isEmpty() && members.values().stream().allMatch(GroupMember::isAwaitingJoin);
    }

    List<GroupMember> notYetRejoined() {
        List<GroupMember> result = new ArrayList<>();
        for (GroupMember member : members.values()) {
            if (!member.isAwaitingJoin()) {
                result.add(member);
            }
        }
        return result;
    }

    int maxRebalanceTimeoutMs() {
        int max = 0;
        for (GroupMember member : members.values()) {
            max = Math.max(max, member.rebalanceTimeoutMs());
        }
        return max;
    }

    boolean newMemberAdded() {
        return newMemberAdded;
    }

    void newMemberAdded(boolean added) {
        this.newMemberAdded = added;
    }

    /** Whether the first rebalance of an empty group is still waiting out group.initial.rebalance.delay.ms. */
    boolean initialDelayPending() {
        return initialDelayPending;
    }

    void initialDelayPending(boolean pending) {
        this.initialDelayPending = pending;
    }

    /** Identifies the current rebalance so that a timer of an earlier one does nothing. */
    long rebalanceRound() {
        return rebalanceRound;
    }

    long nextRebalanceRound() {
        return ++rebalanceRound;
    }

    Map<TopicPartition, CommittedOffset> offsets() {
        return offsets;
    }

    Optional<CommittedOffset> offset(TopicPartition tp) {
        return Optional.ofNullable(offsets.get(tp));
    }

    /** The pending transactional offsets of this group. */
    PendingTxnOffsets pendingTxnOffsets() {
        return pendingTxnOffsets;
    }

    /** The position of the next offset record this group writes. */
    long nextPosition() {
        return ++lastPosition;
    }

    /** Makes later {@link #nextPosition}s exceed {@code position} (a log offset read back at load). */
    void positionAtLeast(long position) {
        lastPosition = Math.max(lastPosition, position);
    }

    /**
     * Makes {@code offset}, written at {@code position}, the committed offset of {@code tp} unless the current one
     * was written later (Kafka keeps the most recently written of a plain and a transactional commit, whichever
     * became visible first).
     */
    void materialize(TopicPartition tp, CommittedOffset offset, long position) {
        Long current = offsetPositions.get(tp);
        if (current == null || !offsets.containsKey(tp) || current < position) {
            offsets.put(tp, offset);
            offsetPositions.put(tp, position);
        }
    }
}
