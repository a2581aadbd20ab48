package dev.skein.connector;

import org.apache.kafka.common.header.Headers;

/**
 * Where an incoming message came from: attached to every message of a {@code skein} incoming channel
 * ({@code message.getMetadata(SkeinIncomingMetadata.class)}). In {@code batch} mode the batch message carries the
 * metadata of its last record and {@link SkeinIncomingBatchMetadata} lists all of them.
 *
 * @param key the deserialized key, or {@code null}
 * @param timestamp record timestamp in epoch milliseconds
 */
public record SkeinIncomingMetadata(
        String topic, int partition, long offset, Object key, long timestamp, Headers headers) {}
