package dev.skein.connector.fault;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** {@code fail}: the nack stops the channel; nothing past the record is committed and liveness turns DOWN. */
final class FailStrategy implements FailureStrategy {
    private final String channel;

    FailStrategy(String channel) {
        this.channel = channel;
    }

    @Override
    public CompletionStage<Void> handle(ConsumerRecord<byte[], byte[]> record, Throwable reason) {
        return CompletableFuture.failedFuture(new ChannelFailedException(channel, record, reason));
    }
}
