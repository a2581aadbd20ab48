package dev.skein.broker.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.utils.Time;

/**
 * The broker's own counters, plain Java so that the core stays free of any metrics library; the server binds them to
 * its registry and reads them on scrape.
 *
 * <ul>
 *   <li>per API key: request count and a latency histogram ({@link RequestLatency});
 *   <li>per topic: bytes in, messages in, bytes out ({@link TopicMetrics}), looked up once per partition of a request,
 *       never per record.
 * </ul>
 *
 * <p>Threads: every method may be called from any thread; counters are {@link LongAdder}s, so the request threads
 * that record never contend on one cache line and never allocate.
 */
public final class BrokerMetrics {
    private final Time time;
    private final RequestLatency[] requests;
    private final Map<String, TopicMetrics> topics = new ConcurrentHashMap<>();

    public BrokerMetrics(Time time) {
        this.time = time;
        int maxId = 0;
        for (ApiKeys key : ApiKeys.values()) {
            maxId = Math.max(maxId, key.id);
        }
        requests = new RequestLatency[maxId + 1];
        for (ApiKeys key : ApiKeys.values()) {
            requests[key.id] = new RequestLatency();
        }
    }

    /** A monotonic timestamp for {@link #recordRequest}, in nanoseconds. */
    public long nanoTime() {
        return time.nanoseconds();
    }

    /** Counts one completed request of {@code key} that took from {@code startNanos} (a {@link #nanoTime()}) to now. */
    public void recordRequest(ApiKeys key, long startNanos) {
        requests[key.id].record(time.nanoseconds() - startNanos);
    }

    /** The counters of requests of {@code key}. */
    public RequestLatency requests(ApiKeys key) {
        return requests[key.id];
    }

    /** The counters of {@code topic}, created on first use. */
    public TopicMetrics topic(String topic) {
        return topics.computeIfAbsent(topic, TopicMetrics::new);
    }

    /** The topics that have counters. */
    public Set<String> topicNames() {
        return topics.keySet();
    }

    /** Forgets a deleted topic's counters, so that a topic created later under the same name starts at zero. */
    public void removeTopic(String topic) {
        topics.remove(topic);
    }

    /** Bytes, messages in and bytes out of one topic since the broker started (or since the topic was recreated). */
    public static final class TopicMetrics {
        private final String topic;
        private final LongAdder bytesIn = new LongAdder();
        private final LongAdder messagesIn = new LongAdder();
        private final LongAdder bytesOut = new LongAdder();

        TopicMetrics(String topic) {
            this.topic = topic;
        }

        public String topic() {
            return topic;
        }

        /** Records one appended batch set: its size as sent and the number of records it holds. */
        public void recordAppend(long bytes, long messages) {
            bytesIn.add(bytes);
            messagesIn.add(messages);
        }

        public void recordFetch(long bytes) {
            bytesOut.add(bytes);
        }

        public long bytesIn() {
            return bytesIn.sum();
        }

        public long messagesIn() {
            return messagesIn.sum();
        }

        public long bytesOut() {
            return bytesOut.sum();
        }
    }
}
