package dev.skein.broker.txn;

/**
 * Outcome of {@link ProducerStateManager#check}: either append the batch, or answer the producer with the offsets of
 * the identical batch it already wrote (a retry whose first attempt succeeded but whose response was lost).
 */
public sealed interface BatchCheck {

    /** The batch is new and in sequence: append it. */
    record Append() implements BatchCheck {}

    /**
     * The batch repeats one of the producer's recent batches: do not append it, reply with these offsets.
     *
     * @param timestamp the max timestamp the original batch was stored with (broker time for LogAppendTime topics)
     */
    record Duplicate(long firstOffset, long lastOffset, long timestamp) implements BatchCheck {}
}
