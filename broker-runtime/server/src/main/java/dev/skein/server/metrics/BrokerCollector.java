package dev.skein.server.metrics;

import dev.skein.broker.Broker;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.metrics.RequestLatency;
import dev.skein.broker.partition.Partition;
import io.prometheus.client.Collector;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The broker's per-topic, per-partition and per-request series, read from {@link BrokerMetrics} and the hosted
 * partitions at scrape time — topics and partitions come and go, so nothing is registered per topic; each scrape
 * lists what exists. Names follow the JMX names a Kafka operator knows, as the Prometheus JMX exporter renders them:
 *
 * <ul>
 *   <li>{@code kafka_server_brokertopicmetrics_bytesin_total}, {@code _messagesin_total}, {@code _bytesout_total}
 *       {@code {topic}};
 *   <li>{@code kafka_network_requestmetrics_requests_total{request}} and the histogram {@code
 *       kafka_network_requestmetrics_totaltimems{request}} (buckets in milliseconds), only for API keys that were
 *       requested;
 *   <li>{@code kafka_log_log_size}, {@code kafka_log_log_logendoffset}, {@code kafka_log_log_logstartoffset}, {@code
 *       kafka_log_log_numlogsegments} {@code {topic, partition}} for the partitions this broker hosts.
 * </ul>
 *
 * <p>Called on the scraping HTTP thread; reads only thread-safe counters and volatile log state.
 */
final class BrokerCollector extends Collector {
    private final Supplier<Optional<Broker>> broker;

    BrokerCollector(Supplier<Optional<Broker>> broker) {
        this.broker = broker;
    }

    @Override
    public List<MetricFamilySamples> collect() {
        Optional<Broker> running = broker.get();
        if (running.isEmpty()) {
            return List.of();
        }
        List<MetricFamilySamples> families = new ArrayList<>();
        topics(running.get().metrics(), families);
        requests(running.get().metrics(), families);
        logs(running.get(), families);
        return families;
    }

    private static void topics(BrokerMetrics metrics, List<MetricFamilySamples> families) {
        List<String> labels = List.of("topic");
        CounterMetricFamily bytesIn = new CounterMetricFamily(
                "kafka_server_brokertopicmetrics_bytesin", "Bytes appended to the topic by producers", labels);
        CounterMetricFamily messagesIn = new CounterMetricFamily(
                "kafka_server_brokertopicmetrics_messagesin", "Records appended to the topic by producers", labels);
        CounterMetricFamily bytesOut = new CounterMetricFamily(
                "kafka_server_brokertopicmetrics_bytesout", "Bytes of the topic sent to fetchers", labels);
        for (String topic : metrics.topicNames()) {
            BrokerMetrics.TopicMetrics counters = metrics.topic(topic);
            bytesIn.addMetric(List.of(topic), counters.bytesIn());
            messagesIn.addMetric(List.of(topic), counters.messagesIn());
            bytesOut.addMetric(List.of(topic), counters.bytesOut());
        }
        families.add(bytesIn);
        families.add(messagesIn);
        families.add(bytesOut);
    }

    private static void requests(BrokerMetrics metrics, List<MetricFamilySamples> families) {
        List<String> labels = List.of("request");
        CounterMetricFamily count =
                new CounterMetricFamily("kafka_network_requestmetrics_requests", "Requests answered, by API", labels);
        String histogram = "kafka_network_requestmetrics_totaltimems";
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        List<String> bucketLabels = List.of("request", "le");
        for (ApiKeys key : ApiKeys.values()) {
            RequestLatency latency = metrics.requests(key);
            long total = latency.count();
            if (total == 0) {
                continue;
            }
            count.addMetric(List.of(key.name), total);
            long cumulative = 0;
            for (int i = 0; i < RequestLatency.bounds(); i++) {
                cumulative += latency.bucketCount(i);
                samples.add(new MetricFamilySamples.Sample(
                        histogram + "_bucket",
                        bucketLabels,
                        List.of(key.name, Collector.doubleToGoString(RequestLatency.boundMillis(i))),
                        cumulative));
            }
            samples.add(new MetricFamilySamples.Sample(
                    histogram + "_bucket", bucketLabels, List.of(key.name, "+Inf"), total));
            samples.add(new MetricFamilySamples.Sample(histogram + "_count", labels, List.of(key.name), total));
            samples.add(new MetricFamilySamples.Sample(
                    histogram + "_sum", labels, List.of(key.name), latency.totalMillis()));
        }
        families.add(count);
        families.add(new MetricFamilySamples(
                histogram,
                Type.HISTOGRAM,
                "Time from receiving a request to handing its response to the connection, in milliseconds",
                samples));
    }

    private static void logs(Broker broker, List<MetricFamilySamples> families) {
        List<String> labels = List.of("topic", "partition");
        GaugeMetricFamily size =
                new GaugeMetricFamily("kafka_log_log_size", "Size of the partition's log on disk, in bytes", labels);
        GaugeMetricFamily end =
                new GaugeMetricFamily("kafka_log_log_logendoffset", "Offset of the next record appended", labels);
        GaugeMetricFamily start =
                new GaugeMetricFamily("kafka_log_log_logstartoffset", "First offset still in the log", labels);
        GaugeMetricFamily segments =
                new GaugeMetricFamily("kafka_log_log_numlogsegments", "Number of segments of the log", labels);
        for (Partition partition : broker.partitions().all()) {
            PartitionLog log = partition.log();
            List<String> values = List.of(
                    partition.topicPartition().topic(),
                    Integer.toString(partition.topicPartition().partition()));
            size.addMetric(values, log.sizeInBytes());
            end.addMetric(values, log.logEndOffset());
            start.addMetric(values, log.logStartOffset());
            segments.addMetric(values, log.numberOfSegments());
        }
        families.add(size);
        families.add(end);
        families.add(start);
        families.add(segments);
    }
}
