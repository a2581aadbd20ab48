package dev.skein.broker.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Kafka's on-disk record format of {@code __consumer_offsets}; all integers big-endian, a string is an int16 length
 * and UTF-8 bytes (length -1 for null), bytes are an int32 length and the bytes.
 *
 * <pre>
 * key   := int16 version, then
 *          version 0/1 (offset commit): string group, string topic, int32 partition
 *          version 2 (group metadata):  string group
 * OffsetCommitValue := int16 version (written: 3)
 *          v0: int64 offset, string metadata, int64 commitTimestamp
 *          v1: int64 offset, string metadata, int64 commitTimestamp, int64 expireTimestamp
 *          v2: int64 offset, string metadata, int64 commitTimestamp
 *          v3: int64 offset, int32 leaderEpoch, string metadata, int64 commitTimestamp
 * GroupMetadataValue := int16 version (written: 3), string protocolType, int32 generation, nullable string protocol,
 *          nullable string leader, int64 currentStateTimestamp (v2+), int32 memberCount, then per member:
 *          string memberId, nullable string groupInstanceId (v3+), string clientId, string clientHost,
 *          int32 rebalanceTimeout (v1+), int32 sessionTimeout, bytes subscription, bytes assignment
 * </pre>
 *
 * A record with a key and a null value is a tombstone: the offset or the group was deleted. Stateless.
 */
final class GroupRecords {
    static final short OFFSET_KEY_VERSION = 1;
    static final short GROUP_KEY_VERSION = 2;
    static final short OFFSET_VALUE_VERSION = 3;
    static final short GROUP_VALUE_VERSION = 3;

    private GroupRecords() {}

    /** A decoded record: either an offset (null = deleted) or a group's metadata (null = deleted). */
    sealed interface Decoded permits OffsetEntry, GroupEntry {
        String groupId();
    }

    record OffsetEntry(String groupId, TopicPartition partition, CommittedOffset offset) implements Decoded {}

    record GroupEntry(String groupId, GroupSnapshot group) implements Decoded {}

    /** Group metadata as stored: the generation and its members with their subscriptions and assignments. */
    record GroupSnapshot(
            String protocolType,
            int generation,
            String protocol,
            String leader,
            long stateTimestampMs,
            List<MemberSnapshot> members) {}

    record MemberSnapshot(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            int rebalanceTimeoutMs,
            int sessionTimeoutMs,
            byte[] subscription,
            byte[] assignment) {}

    static SimpleRecord offsetCommit(String group, TopicPartition tp, CommittedOffset offset) {
        ByteBuffer value = ByteBuffer.allocate(2 + 8 + 4 + stringSize(offset.metadata()) + 8);
        value.putShort(OFFSET_VALUE_VERSION);
        value.putLong(offset.offset());
        value.putInt(offset.leaderEpoch());
        putString(value, offset.metadata());
        value.putLong(offset.commitTimestamp());
        return new SimpleRecord(offset.commitTimestamp(), offsetKey(group, tp), value.array());
    }

    static SimpleRecord offsetTombstone(String group, TopicPartition tp, long nowMs) {
        return new SimpleRecord(nowMs, offsetKey(group, tp), null);
    }

    static SimpleRecord groupTombstone(String group, long nowMs) {
        return new SimpleRecord(nowMs, groupKey(group), null);
    }

    static SimpleRecord groupMetadata(String groupId, GroupSnapshot group, long nowMs) {
        String protocolType = group.protocolType() == null ? "" : group.protocolType();
        int size = 2 + stringSize(protocolType) + 4 + stringSize(group.protocol()) + stringSize(group.leader()) + 8 + 4;
        for (MemberSnapshot m : group.members()) {
            size += stringSize(m.memberId())
                    + stringSize(m.groupInstanceId())
                    + stringSize(m.clientId())
                    + stringSize(m.clientHost())
                    + 4
                    + 4
                    + 4
                    + m.subscription().length
                    + 4
                    + m.assignment().length;
        }
        ByteBuffer value = ByteBuffer.allocate(size);
        value.putShort(GROUP_VALUE_VERSION);
        putString(value, protocolType);
        value.putInt(group.generation());
        putString(value, group.protocol());
        putString(value, group.leader());
        value.putLong(group.stateTimestampMs());
        value.putInt(group.members().size());
        for (MemberSnapshot m : group.members()) {
            putString(value, m.memberId());
            putString(value, m.groupInstanceId());
            putString(value, m.clientId());
            putString(value, m.clientHost());
            value.putInt(m.rebalanceTimeoutMs());
            value.putInt(m.sessionTimeoutMs());
            putBytes(value, m.subscription());
            putBytes(value, m.assignment());
        }
        return new SimpleRecord(nowMs, groupKey(groupId), value.array());
    }

    static byte[] offsetKey(String group, TopicPartition tp) {
        ByteBuffer key = ByteBuffer.allocate(2 + stringSize(group) + stringSize(tp.topic()) + 4);
        key.putShort(OFFSET_KEY_VERSION);
        putString(key, group);
        putString(key, tp.topic());
        key.putInt(tp.partition());
        return key.array();
    }

    static byte[] groupKey(String group) {
        ByteBuffer key = ByteBuffer.allocate(2 + stringSize(group));
        key.putShort(GROUP_KEY_VERSION);
        putString(key, group);
        return key.array();
    }

    /**
     * Decodes one record of {@code __consumer_offsets}.
     *
     * @throws IllegalStateException for a key or value version this broker does not know, or a length or count that
     *     does not fit the record
     * @throws java.nio.BufferUnderflowException for a record shorter than its format
     */
    static Decoded decode(Record record) {
        if (!record.hasKey()) {
            throw new IllegalStateException("record at offset " + record.offset() + " has no key");
        }
        ByteBuffer key = record.key();
        short keyVersion = key.getShort();
        ByteBuffer value = record.hasValue() ? record.value() : null;
        if (keyVersion == 0 || keyVersion == 1) {
            String group = getString(key);
            TopicPartition tp = new TopicPartition(getString(key), key.getInt());
            return new OffsetEntry(group, tp, value == null ? null : decodeOffset(value));
        }
        if (keyVersion == 2) {
            String group = getString(key);
            return new GroupEntry(group, value == null ? null : decodeGroup(value));
        }
        throw new IllegalStateException("unknown key version " + keyVersion + " at offset " + record.offset());
    }

    private static CommittedOffset decodeOffset(ByteBuffer value) {
        short version = value.getShort();
        if (version < 0 || version > 3) {
            throw new IllegalStateException("unknown offset commit value version " + version);
        }
        long offset = value.getLong();
        int leaderEpoch = version >= 3 ? value.getInt() : -1;
        String metadata = getString(value);
        long commitTimestamp = value.getLong();
        return new CommittedOffset(offset, leaderEpoch, metadata == null ? "" : metadata, commitTimestamp);
    }

    private static GroupSnapshot decodeGroup(ByteBuffer value) {
        short version = value.getShort();
        if (version < 0 || version > 3) {
            throw new IllegalStateException("unknown group metadata value version " + version);
        }
        String protocolType = getString(value);
        int generation = value.getInt();
        String protocol = getString(value);
        String leader = getString(value);
        long timestamp = version >= 2 ? value.getLong() : -1L;
        int count = value.getInt();
        // A member takes at least 3 string lengths, a timeout and 2 byte-array lengths (version 0): 18 bytes.
        if (count < 0 || count > value.remaining() / 18) {
            throw new IllegalStateException("member count " + count + " does not fit the record");
        }
        List<MemberSnapshot> members = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String memberId = getString(value);
            String instanceId = version >= 3 ? getString(value) : null;
            String clientId = getString(value);
            String clientHost = getString(value);
            int sessionTimeout;
            int rebalanceTimeout;
            if (version >= 1) {
                rebalanceTimeout = value.getInt();
                sessionTimeout = value.getInt();
            } else {
                sessionTimeout = value.getInt();
                rebalanceTimeout = sessionTimeout;
            }
            byte[] subscription = getBytes(value);
            byte[] assignment = getBytes(value);
            members.add(new MemberSnapshot(
                    memberId,
                    instanceId,
                    clientId,
                    clientHost,
                    rebalanceTimeout,
                    sessionTimeout,
                    subscription,
                    assignment));
        }
        return new GroupSnapshot(protocolType, generation, protocol, leader, timestamp, members);
    }

    private static int stringSize(String s) {
        return 2 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    private static void putString(ByteBuffer buffer, String s) {
        if (s == null) {
            buffer.putShort((short) -1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buffer.putShort((short) bytes.length);
        buffer.put(bytes);
    }

    private static String getString(ByteBuffer buffer) {
        short length = buffer.getShort();
        if (length < 0) {
            return null;
        }
        checkRemaining(buffer, length);
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void putBytes(ByteBuffer buffer, byte[] bytes) {
        buffer.putInt(bytes.length);
        buffer.put(bytes);
    }

    private static byte[] getBytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        checkRemaining(buffer, length);
        byte[] bytes = new byte[Math.max(length, 0)];
        buffer.get(bytes);
        return bytes;
    }

    /** A length read from a record must fit what is left of it, so a corrupt length never sizes an allocation. */
    private static void checkRemaining(ByteBuffer buffer, int length) {
        if (length > buffer.remaining()) {
            throw new IllegalStateException(
                    "length " + length + " exceeds the " + buffer.remaining() + " bytes left in the record");
        }
    }
}
