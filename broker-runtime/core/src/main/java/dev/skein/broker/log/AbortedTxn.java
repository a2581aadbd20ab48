package dev.skein.broker.log;

/**
 * One aborted transaction of a partition, as Kafka's transaction index ({@code .txnindex}) keeps it.
 *
 * @param producerId the producer whose transaction was aborted
 * @param firstOffset offset of the transaction's first batch in this partition
 * @param lastOffset offset of its ABORT marker
 * @param lastStableOffset the partition's last stable offset once this transaction completed: the first offset of
 *     another transaction still open then, else {@code lastOffset + 1}. A reader that needs the aborted transactions
 *     overlapping {@code [from, to)} may stop at the first entry whose {@code lastStableOffset >= to}.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
