package dev.skein.broker.protocol;

import org.apache.kafka.common.errors.TimeoutException;

/** The deadline rule CreateTopics and DeleteTopics share with Kafka 4.4's controller. */
final class RequestDeadline {
    private RequestDeadline() {}

    /**
     * Kafka 4.4's controller drops an operation whose deadline passed before it ran, so nothing is done for a
     * {@code timeoutMs} of zero or less (KafkaDifferentialIT cases create-topic-timeout-0 and delete-topic-timeout-0).
     *
     * @param api the request, e.g. "CreateTopics", and {@code work} what would not start, e.g. "creation" (the message
     *     names both)
     * @throws TimeoutException (REQUEST_TIMED_OUT) for {@code timeoutMs <= 0}
     */
    static void requireTimeLeft(String api, String work, int timeoutMs) {
        if (timeoutMs <= 0) {
            throw new TimeoutException(api + " timeoutMs " + timeoutMs + " elapsed before the " + work + " started");
        }
    }
}
