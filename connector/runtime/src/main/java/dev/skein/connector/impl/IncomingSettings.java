package dev.skein.connector.impl;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The parsed behaviour of one incoming channel (everything except the Kafka client properties).
 *
 * @param topics topics to subscribe to (ignored when {@code pattern} is set)
 * @param capacity unacknowledged records per consumer beyond which the consumer pauses
 */
record IncomingSettings(
        String channel,
        List<String> topics,
        Pattern pattern,
        boolean batch,
        boolean keyOrdered,
        boolean pauseIfNoRequests,
        int capacity,
        long pollTimeoutMs,
        boolean gracefulShutdown,
        long gracefulShutdownTimeoutMs) {}
