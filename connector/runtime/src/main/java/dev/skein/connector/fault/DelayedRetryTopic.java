package dev.skein.connector.fault;

import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * {@code delayed-retry-topic}: the n-th nack of a record copies it to the n-th retry topic (the last one again when
 * there are fewer topics than retries) with a {@code delayed-retry-count} header; after {@code max-retries} it goes
 * to the dead-letter topic. Retry topics are named {@code <anything>_<delay ms>}: the channel also consumes them and
 * holds each record back until its timestamp plus that delay, so a retry never blocks the main topic.
 */
final class DelayedRetryTopic implements FailureStrategy {
    private final List<String> topics;
    private final int maxRetries;
    private final DeadLetterQueue deadLetterQueue;
    private final Producer<byte[], byte[]> producer;

    DelayedRetryTopic(
            List<String> topics, int maxRetries, DeadLetterQueue deadLetterQueue, Producer<byte[], byte[]> producer) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("delayed-retry-topic.topics must name at least one topic");
        }
        topics.forEach(DelayedRetryTopic::parseDelay);
        this.topics = List.copyOf(topics);
        this.maxRetries = maxRetries;
        this.deadLetterQueue = deadLetterQueue;
        this.producer = producer;
    }

    @Override
    public CompletionStage<Void> handle(ConsumerRecord<byte[], byte[]> record, Throwable reason) {
        String countText = FailureHeaders.text(record.headers(), FailureHeaders.DELAYED_RETRY_COUNT);
        int count = countText == null ? 0 : Integer.parseInt(countText);
        if (count >= maxRetries) {
            return deadLetterQueue.handle(record, reason);
        }
        String target = topics.get(Math.min(count, topics.size() - 1));
        ProducerRecord<byte[], byte[]> copy =
                new ProducerRecord<>(target, null, record.key(), record.value(), record.headers());
        Headers headers = copy.headers();
        if (FailureHeaders.text(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_TOPIC) == null) {
            FailureHeaders.put(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_TOPIC, record.topic());
            FailureHeaders.put(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_PARTITION, record.partition());
            FailureHeaders.put(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_OFFSET, record.offset());
        }
        FailureHeaders.put(headers, FailureHeaders.DELAYED_RETRY_COUNT, count + 1);
        FailureHeaders.put(
                headers, FailureHeaders.DELAYED_RETRY_REASON, reason == null ? "nacked" : reason.getMessage());
        if (reason != null && reason.getCause() != null) {
            FailureHeaders.put(
                    headers,
                    FailureHeaders.DELAYED_RETRY_CAUSE,
                    reason.getCause().getMessage());
        }
        return DeadLetterQueue.send(producer, copy);
    }

    @Override
    public List<String> extraTopics() {
        return topics;
    }

    @Override
    public long delayOf(String topic) {
        return topics.contains(topic) ? parseDelay(topic) : 0;
    }

    private static long parseDelay(String topic) {
        int underscore = topic.lastIndexOf('_');
        try {
            return Long.parseLong(topic.substring(underscore + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException(
                    "delayed-retry-topic.topics: " + topic + " does not end with _<delay in ms>", e);
        }
    }
}
