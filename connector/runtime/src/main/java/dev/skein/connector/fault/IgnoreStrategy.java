package dev.skein.connector.fault;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ignore}: the nacked record is logged and then committed past like an acknowledged one. */
final class IgnoreStrategy implements FailureStrategy {
    private static final Logger log = LoggerFactory.getLogger(IgnoreStrategy.class);
    private final String channel;

    IgnoreStrategy(String channel) {
        this.channel = channel;
    }

    @Override
    public CompletionStage<Void> handle(ConsumerRecord<byte[], byte[]> record, Throwable reason) {
        log.warn(
                "Channel {}: ignoring nacked record {}-{}@{}: {}",
                channel,
                record.topic(),
                record.partition(),
                record.offset(),
                String.valueOf(reason));
        return CompletableFuture.completedFuture(null);
    }
}
