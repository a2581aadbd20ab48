package dev.skein.connector.fault;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
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
     * Creates the failure strategy of an incoming channel (called once per channel; the strategy is shared by its
     * consumers, hence thread-safe). The connector looks the factory up through CDI by the {@code failure-strategy}
     * attribute: a bean implementing this interface and annotated {@code @Identifier("name")} is chosen by {@code
     * failure-strategy=name}. The built-ins are such beans ({@link BuiltInFailureStrategies}); an application adds
     * its own the same way.
     */
    interface Factory {
        FailureStrategy create(SkeinConnectorIncomingConfiguration config, Resources resources);
    }

    /** What the channel lends a failure strategy. */
    interface Resources {
        /**
         * A producer of raw bytes for byte-identical copies (dead letters, retries), created on the first call and
         * closed with the channel; strategies that make no copies never call it, so no producer is created for them.
         */
        Producer<byte[], byte[]> copyProducer();

        /** The channel's topic, or its base name when it reads a pattern: what default topic names derive from. */
        String baseTopic();

        /** The channel's name without the framework's {@code $N} concurrency suffix. */
        String baseChannel();
    }

    /**
     * Resolves a built-in {@code failure-strategy} without CDI.
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
}
