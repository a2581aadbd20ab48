package dev.skein.server.admin;

import java.util.List;

/** The JSON bodies of {@link GroupResource}. */
public final class GroupViews {
    private GroupViews() {}

    /** One line of the group list; {@code state} is e.g. {@code Stable}, {@code Empty}, {@code Unknown}. */
    public record GroupSummary(String groupId, String state) {}

    public record AssignedPartition(String topic, int partition) {}

    public record MemberView(
            String memberId,
            String groupInstanceId,
            String clientId,
            String host,
            List<AssignedPartition> assignment) {}

    public record GroupView(
            String groupId, String state, String partitionAssignor, int coordinator, List<MemberView> members) {}

    /**
     * The committed offset of one partition and how far it is behind the partition's end.
     *
     * @param lag end offset minus committed offset, never negative
     */
    public record OffsetView(
            String topic, int partition, long committedOffset, long logEndOffset, long lag, String metadata) {}

    /**
     * Where to move a group's committed offsets. {@code to} is {@code earliest}, {@code latest}, {@code timestamp}
     * (first offset at or after {@code timestamp} ms, the end if none) or {@code offset} (exactly {@code offset}).
     * Without {@code partitions}, all partitions of {@code topic} are reset.
     */
    public record ResetRequest(String topic, List<Integer> partitions, String to, Long timestamp, Long offset) {}
}
