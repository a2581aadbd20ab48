package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.SkeinTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own load tools ({@code kafka-producer-perf-test}, {@code kafka-consumer-perf-test},
 * {@code EndToEndLatency}, kafka-tools 4.4.0) against Skein: each completes, the counts it reports match what the
 * broker holds, and the measured figures are printed for docs/compatibility.md.
 */
class PerfToolsIT {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final int PARTITIONS = 4;
    private static final int RECORDS = 200_000;
    private static final int RECORD_SIZE = 100;
    private static final Pattern PRODUCER_SUMMARY = Pattern.compile(
            "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg latency, ([\\d.]+) ms max"
                    + " latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms 99th");

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    @Test
    void producerAndConsumerPerformanceMoveEveryRecord() throws Exception {
        String topic = "perf";
        skein.createTopic(topic, PARTITIONS);

        ExternalProcess.ProcessResult produced = KafkaTool.run(
                dir,
                "producer-perf",
                TOOL_TIMEOUT,
                "org.apache.kafka.tools.ProducerPerformance",
                "--topic",
                topic,
                "--num-records",
                Integer.toString(RECORDS),
                "--record-size",
                Integer.toString(RECORD_SIZE),
                "--throughput",
                "-1",
                "--producer-props",
                "bootstrap.servers=" + skein.bootstrap(),
                "acks=all",
                "linger.ms=5");
        assertThat(produced.exitCode()).as(produced.stderr()).isZero();
        String summary = produced.stdoutLines().stream()
                .filter(line -> PRODUCER_SUMMARY.matcher(line).find())
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no summary line in:\n" + produced.stdout()));
        Matcher producer = PRODUCER_SUMMARY.matcher(summary);
        assertThat(producer.find()).isTrue();
        assertThat(Long.parseLong(producer.group(1))).isEqualTo(RECORDS);
        assertThat(endOffsets(topic, PARTITIONS)).isEqualTo(RECORDS);
        System.out.printf(
                "ProducerPerformance: %s records x %d B, acks=all: %s records/s (%s MB/s), latency avg %s ms, p50 %s"
                        + " ms, p99 %s ms, max %s ms%n",
                producer.group(1),
                RECORD_SIZE,
                producer.group(2),
                producer.group(3),
                producer.group(4),
                producer.group(6),
                producer.group(8),
                producer.group(5));

        ExternalProcess.ProcessResult consumed = KafkaTool.run(
                dir,
                "consumer-perf",
                TOOL_TIMEOUT,
                "org.apache.kafka.tools.ConsumerPerformance",
                "--bootstrap-server",
                skein.bootstrap(),
                "--topic",
                topic,
                "--group",
                "perf-group",
                "--num-records",
                Integer.toString(RECORDS),
                "--timeout",
                "30000");
        assertThat(consumed.exitCode()).as(consumed.stderr()).isZero();
        Map<String, String> stats = csvStats(consumed.stdout());
        assertThat(Long.parseLong(stats.get("data.consumed.in.nMsg"))).isEqualTo(RECORDS);
        assertThat(Double.parseDouble(stats.get("data.consumed.in.MB")))
                .isCloseTo(RECORDS * (double) RECORD_SIZE / (1024 * 1024), org.assertj.core.data.Offset.offset(0.01));
        System.out.printf(
                "ConsumerPerformance: %s records (%s MB) through group perf-group: %s records/s (%s MB/s), rebalance"
                        + " %s ms, fetch %s ms%n",
                stats.get("data.consumed.in.nMsg"),
                stats.get("data.consumed.in.MB"),
                stats.get("nMsg.sec"),
                stats.get("MB.sec"),
                stats.get("rebalance.time.ms"),
                stats.get("fetch.time.ms"));
    }

    @Test
    void endToEndLatencyRoundTripsEveryRecord() throws Exception {
        String topic = "latency";
        skein.createTopic(topic, 1);
        int records = 2_000;
        ExternalProcess.ProcessResult result = KafkaTool.run(
                dir,
                "end-to-end-latency",
                TOOL_TIMEOUT,
                "org.apache.kafka.tools.EndToEndLatency",
                skein.bootstrap(),
                topic,
                Integer.toString(records),
                "all",
                "100");
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        Matcher average = Pattern.compile("Avg latency: ([\\d.]+) ms").matcher(result.stdout());
        Matcher percentiles = Pattern.compile("Percentiles: 50th = (\\d+), 99th = (\\d+), 99.9th = (\\d+)")
                .matcher(result.stdout());
        assertThat(average.find()).as(result.stdout()).isTrue();
        assertThat(percentiles.find()).as(result.stdout()).isTrue();
        // the tool fails on any record it does not read back in order, so the log holds exactly what it sent
        assertThat(endOffsets(topic, 1)).isEqualTo(records);
        System.out.printf(
                "EndToEndLatency: %d records, acks=all: avg %s ms, p50 %s ms, p99 %s ms, p99.9 %s ms%n",
                records, average.group(1), percentiles.group(1), percentiles.group(2), percentiles.group(3));
    }

    /** The header line and the last data line of ConsumerPerformance's CSV-like report, by column name. */
    private static Map<String, String> csvStats(String stdout) {
        List<String> lines = stdout.lines().filter(line -> line.contains(",")).toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("data.consumed.in.nMsg")) {
                header = i;
            }
        }
        assertThat(header).as("report header in:%n%s", stdout).isGreaterThanOrEqualTo(0);
        assertThat(lines.size()).as("report line in:%n%s", stdout).isGreaterThan(header + 1);
        String[] names = lines.get(header).split(",");
        String[] values = lines.get(lines.size() - 1).split(",");
        Map<String, String> stats = new HashMap<>();
        for (int i = 0; i < names.length && i < values.length; i++) {
            stats.put(names[i].trim(), values[i].trim());
        }
        return stats;
    }

    private static long endOffsets(String topic, int partitions) throws Exception {
        Admin admin = skein.admin();
        Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, partitions)
                .boxed()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get().values().stream()
                .mapToLong(info -> info.offset())
                .sum();
    }
}
