package dev.skein.connector.fault;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A record was nacked under the {@code fail} strategy; the channel stopped. */
public final class ChannelFailedException extends RuntimeException {
    public ChannelFailedException(String channel, ConsumerRecord<?, ?> record, Throwable reason) {
        super(
                "Channel " + channel + " stopped: record " + record.topic() + "-" + record.partition() + "@"
                        + record.offset() + " was nacked: " + reason,
                reason);
    }
}
