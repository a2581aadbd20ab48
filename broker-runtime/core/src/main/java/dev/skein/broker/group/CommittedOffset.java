package dev.skein.broker.group;

/**
 * A committed offset as stored in {@code __consumer_offsets}.
 *
 * @param leaderEpoch -1 when the client sent none
 * @param metadata never null (Kafka stores "" for a null metadata)
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {}
