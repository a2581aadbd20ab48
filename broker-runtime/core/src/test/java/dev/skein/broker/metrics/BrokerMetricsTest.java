package dev.skein.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.time.ManualTime;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class BrokerMetricsTest {
    private final ManualTime time = new ManualTime();
    private final BrokerMetrics metrics = new BrokerMetrics(time);

    @Test
    void requestLatencyLandsInTheFirstBucketWhoseBoundItDoesNotExceed() {
        long start = metrics.nanoTime();
        time.sleep(3);
        metrics.recordRequest(ApiKeys.PRODUCE, start);
        start = metrics.nanoTime();
        time.sleep(1);
        metrics.recordRequest(ApiKeys.PRODUCE, start);

        RequestLatency produce = metrics.requests(ApiKeys.PRODUCE);
        assertThat(produce.count()).isEqualTo(2);
        assertThat(produce.totalMillis()).isEqualTo(4.0);
        assertThat(produce.bucketCount(0)).isEqualTo(1); // <= 1 ms
        assertThat(produce.bucketCount(2)).isEqualTo(1); // <= 5 ms
        assertThat(metrics.requests(ApiKeys.FETCH).count()).isZero();
    }

    @Test
    void requestsSlowerThanTheLastBoundGoToTheOverflowBucket() {
        long start = metrics.nanoTime();
        time.sleep((long) RequestLatency.boundMillis(RequestLatency.bounds() - 1) + 1);
        metrics.recordRequest(ApiKeys.METADATA, start);

        assertThat(metrics.requests(ApiKeys.METADATA).bucketCount(RequestLatency.bounds()))
                .isEqualTo(1);
    }

    @Test
    void topicCountersAccumulateAndStartOverWhenTheTopicIsRemoved() {
        metrics.topic("orders").recordAppend(100, 3);
        metrics.topic("orders").recordAppend(50, 1);
        metrics.topic("orders").recordFetch(70);

        assertThat(metrics.topic("orders").bytesIn()).isEqualTo(150);
        assertThat(metrics.topic("orders").messagesIn()).isEqualTo(4);
        assertThat(metrics.topic("orders").bytesOut()).isEqualTo(70);
        assertThat(metrics.topicNames()).containsExactly("orders");

        metrics.removeTopic("orders");
        assertThat(metrics.topicNames()).isEmpty();
        assertThat(metrics.topic("orders").bytesIn()).isZero();
    }
}
