package dev.skein.connector.fault;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * {@code dead-letter-queue}: the nacked record is copied (same key, value, original headers) to the dead-letter
 * topic with {@link FailureHeaders}' {@code dead-letter-*} headers naming the reason and the original
 * topic/partition/offset. The stage completes when the copy is acknowledged by the broker.
 */
final class DeadLetterQueue implements FailureStrategy {
    private final String topic;
    private final Producer<byte[], byte[]> producer;

    DeadLetterQueue(String topic, Producer<byte[], byte[]> producer) {
        this.topic = topic;
        this.producer = producer;
    }

    @Override
    public CompletionStage<Void> handle(ConsumerRecord<byte[], byte[]> record, Throwable reason) {
        // the ProducerRecord copies the original headers into its own mutable set (public API only)
        ProducerRecord<byte[], byte[]> copy =
                new ProducerRecord<>(topic, null, record.key(), record.value(), record.headers());
        Headers headers = copy.headers();
        FailureHeaders.put(headers, FailureHeaders.DEAD_LETTER_REASON, reason == null ? "nacked" : reason.getMessage());
        if (reason != null) {
            FailureHeaders.put(
                    headers,
                    FailureHeaders.DEAD_LETTER_EXCEPTION_CLASS,
                    reason.getClass().getName());
            if (reason.getCause() != null) {
                FailureHeaders.put(
                        headers,
                        FailureHeaders.DEAD_LETTER_CAUSE,
                        reason.getCause().getMessage());
            }
        }
        String originalTopic = FailureHeaders.text(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_TOPIC);
        if (originalTopic != null) {
            FailureHeaders.put(headers, FailureHeaders.DEAD_LETTER_TOPIC, originalTopic);
            FailureHeaders.put(
                    headers,
                    FailureHeaders.DEAD_LETTER_PARTITION,
                    FailureHeaders.text(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_PARTITION));
            FailureHeaders.put(
                    headers,
                    FailureHeaders.DEAD_LETTER_OFFSET,
                    FailureHeaders.text(headers, FailureHeaders.DELAYED_RETRY_ORIGINAL_OFFSET));
        } else {
            FailureHeaders.put(headers, FailureHeaders.DEAD_LETTER_TOPIC, record.topic());
            FailureHeaders.put(headers, FailureHeaders.DEAD_LETTER_PARTITION, record.partition());
            FailureHeaders.put(headers, FailureHeaders.DEAD_LETTER_OFFSET, record.offset());
        }
        return send(producer, copy);
    }

    static CompletionStage<Void> send(Producer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> copy) {
        CompletableFuture<Void> written = new CompletableFuture<>();
        producer.send(copy, (metadata, error) -> {
            if (error == null) {
                written.complete(null);
            } else {
                written.completeExceptionally(error);
            }
        });
        return written;
    }
}
