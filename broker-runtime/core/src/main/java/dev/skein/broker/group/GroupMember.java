package dev.skein.broker.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One member of a classic group: identity, timeouts, supported protocols, current assignment and the JoinGroup or
 * SyncGroup response it is waiting for. Guarded by the lock of its {@link ClassicGroup}.
 */
final class GroupMember {
    private final String memberId;
    private final String groupInstanceId;
    private final String clientId;
    private final String clientHost;
    private int rebalanceTimeoutMs;
    private int sessionTimeoutMs;
    private String protocolType;
    private List<MemberProtocol> protocols;
    private byte[] assignment = new byte[0];
    private CompletableFuture<JoinGroupResult> awaitingJoin;
    private CompletableFuture<SyncGroupResult> awaitingSync;
    private long heartbeatDeadlineMs;

    GroupMember(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            int sessionTimeoutMs,
            String protocolType,
            List<MemberProtocol> protocols) {
        this.memberId = memberId;
        this.groupInstanceId = groupInstanceId;
        this.clientId = clientId;
        this.clientHost = clientHost;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.protocolType = protocolType;
        this.protocols = List.copyOf(protocols);
    }

    /** A copy under a new member id: a static member replaced by a new instance keeps its assignment. */
    GroupMember withMemberId(String newMemberId) {
        GroupMember copy = new GroupMember(
                newMemberId,
                groupInstanceId,
                clientId,
                clientHost,
                rebalanceTimeoutMs,
                sessionTimeoutMs,
                protocolType,
                protocols);
        copy.assignment = assignment;
        return copy;
    }

    String memberId() {
        return memberId;
    }

    String groupInstanceId() {
        return groupInstanceId;
    }

    boolean isStatic() {
        return groupInstanceId != null;
    }

    String clientId() {
        return clientId;
    }

    String clientHost() {
        return clientHost;
    }

    int rebalanceTimeoutMs() {
        return rebalanceTimeoutMs;
    }

    int sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    String protocolType() {
        return protocolType;
    }

    List<MemberProtocol> protocols() {
        return protocols;
    }

    void update(int newRebalanceTimeoutMs, int newSessionTimeoutMs, String newProtocolType, List<MemberProtocol> p) {
        this.rebalanceTimeoutMs = newRebalanceTimeoutMs;
        this.sessionTimeoutMs = newSessionTimeoutMs;
        this.protocolType = newProtocolType;
        this.protocols = List.copyOf(p);
    }

    /** Whether {@code other} lists the same protocols with the same metadata, in the same order. */
    boolean sameProtocols(List<MemberProtocol> other) {
        if (other.size() != protocols.size()) {
            return false;
        }
        for (int i = 0; i < other.size(); i++) {
            MemberProtocol a = protocols.get(i);
            MemberProtocol b = other.get(i);
            if (!a.name().equals(b.name()) || !java.util.Arrays.equals(a.metadata(), b.metadata())) {
                return false;
            }
        }
        return true;
    }

    /** Metadata for {@code protocol}, or null if this member does not support it. */
    byte[] metadata(String protocol) {
        for (MemberProtocol p : protocols) {
            if (p.name().equals(protocol)) {
                return p.metadata();
            }
        }
        return null;
    }

    boolean supports(String protocol) {
        return metadata(protocol) != null;
    }

    byte[] assignment() {
        return assignment;
    }

    void assignment(byte[] newAssignment) {
        this.assignment = newAssignment == null ? new byte[0] : newAssignment;
    }

    CompletableFuture<JoinGroupResult> awaitingJoin() {
        return awaitingJoin;
    }

    void awaitingJoin(CompletableFuture<JoinGroupResult> future) {
        this.awaitingJoin = future;
    }

    boolean isAwaitingJoin() {
        return awaitingJoin != null;
    }

    CompletableFuture<SyncGroupResult> awaitingSync() {
        return awaitingSync;
    }

    void awaitingSync(CompletableFuture<SyncGroupResult> future) {
        this.awaitingSync = future;
    }

    long heartbeatDeadlineMs() {
        return heartbeatDeadlineMs;
    }

    void heartbeatDeadlineMs(long deadline) {
        this.heartbeatDeadlineMs = deadline;
    }
}
