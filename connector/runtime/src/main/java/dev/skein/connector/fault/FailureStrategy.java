package dev.skein.connector.fault;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * What a nacked record turns into. The returned stage completes normally once the record may be committed past
 * (ignored, or durably copied elsewhere) and exceptionally when the channel must stop ({@code fail}). Records are
 * handled as the raw bytes that were read, so copies are byte-identical to the original. Thread-safe.
 */
public interface FailureStrategy {
    CompletionStage<Void> handle(ConsumerRecord<byte[], byte[]> record, Throwable reason);

    /** Topics the channel must consume in addition to its own (the retry topics). */
    default List<String> extraTopics() {
        return List.of();
    }

    /** Milliseconds a record of {@code topic} waits before it is processed again; 0 for ordinary topics. */
    default long delayOf(String topic) {
        return 0;
    }

    /**
     * Resolves the {@code failure-strategy} attribute.
     *
     * @param producer writes dead-letter and retry copies; unused by {@code fail} and {@code ignore}
     * @throws IllegalArgumentException naming the attribute and the allowed values
     */
    static FailureStrategy named(
            String name,
            String channel,
            String deadLetterTopic,
            List<String> retryTopics,
            int maxRetries,
            Producer<byte[], byte[]> producer) {
        return switch (name) {
            case "fail" -> new FailStrategy(channel);
            case "ignore" -> new IgnoreStrategy(channel);
            case "dead-letter-queue" -> new DeadLetterQueue(deadLetterTopic, producer);
            case "delayed-retry-topic" -> new DelayedRetryTopic(
                    retryTopics, maxRetries, new DeadLetterQueue(deadLetterTopic, producer), producer);
            default -> throw new IllegalArgumentException("Channel " + channel + ": failure-strategy=" + name
                    + " is not one of fail, ignore, dead-letter-queue, delayed-retry-topic");
        };
    }

    /** Whether {@code name} needs a producer for copies. */
    static boolean needsProducer(String name) {
        return name.equals("dead-letter-queue") || name.equals("delayed-retry-topic");
    }
}
