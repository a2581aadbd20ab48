package dev.skein.broker.txn.coordinator;

import org.apache.kafka.common.TopicPartition;

/** Where a transaction marker for a partition goes: the partition's current leader, as the metadata cache knows it. */
@FunctionalInterface
public interface MarkerTarget {
    /** The partition has no live leader now: try again later. */
    int NO_LEADER = -1;
    /** The partition's topic no longer exists: its marker is not needed. */
    int GONE = -2;

    /** The leader's broker id, {@link #NO_LEADER} or {@link #GONE}. */
    int leaderOf(TopicPartition partition);
}
