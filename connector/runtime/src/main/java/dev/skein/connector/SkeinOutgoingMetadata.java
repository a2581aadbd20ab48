package dev.skein.connector;

import java.util.List;
import org.apache.kafka.common.header.Header;

/**
 * Per-message overrides for a {@code skein} outgoing channel: attach with
 * {@code message.addMetadata(SkeinOutgoingMetadata.builder().withKey(k).build())}. Unset fields fall back to the
 * channel configuration ({@code topic}, {@code partition}) or to the producer (timestamp = send time).
 *
 * @param topic target topic, or {@code null} for the channel's
 * @param partition target partition, or -1 for the channel's / the partitioner's choice
 * @param timestamp epoch milliseconds, or -1 for send time
 */
public record SkeinOutgoingMetadata(String topic, Object key, int partition, long timestamp, List<Header> headers) {
    public SkeinOutgoingMetadata {
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private String topic;
        private Object key;
        private int partition = -1;
        private long timestamp = -1;
        private List<Header> headers = List.of();

        public Builder withTopic(String topic) {
            this.topic = topic;
            return this;
        }

        public Builder withKey(Object key) {
            this.key = key;
            return this;
        }

        public Builder withPartition(int partition) {
            this.partition = partition;
            return this;
        }

        public Builder withTimestamp(long timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        public Builder withHeaders(List<Header> headers) {
            this.headers = headers;
            return this;
        }

        public SkeinOutgoingMetadata build() {
            return new SkeinOutgoingMetadata(topic, key, partition, timestamp, headers);
        }
    }
}
