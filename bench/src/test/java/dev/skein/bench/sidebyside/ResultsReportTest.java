package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResultsReportTest {
    private static final Metric RATE = Metric.higher("produce.rate", "produce acks=1 none 1p", "records/s", 0);
    private static final Metric P99 = Metric.lower("latency.p99", "e2e latency: p99", "ms", 2);

    @Test
    void rowShowsMediansRangesAndRatio() {
        Measurements m = new Measurements();
        for (int rep = 1; rep <= 3; rep++) {
            m.add("kafka", rep, RATE, 100_000.0 * rep);
            m.add("skein", rep, RATE, 150_000.0 * rep);
        }

        String markdown = report(m, 3).markdown();

        assertThat(markdown)
                .contains("| produce acks=1 none 1p | records/s | higher | 200,000 (100,000–300,000) |"
                        + " 300,000 (150,000–450,000) | 1.50 |");
    }

    @Test
    void durableVariantRowsFollowAndCompareWithKafka() {
        Measurements m = new Measurements();
        m.add("kafka", 1, RATE, 100.0);
        m.add("skein", 1, RATE, 120.0);
        m.add("skein-durable", 1, RATE, 50.0);
        m.add("kafka", 1, P99, 4.0);
        m.add("skein", 1, P99, 2.0);

        List<ResultsReport.Row> rows = report(m, 1).rows();

        assertThat(rows)
                .extracting(ResultsReport.Row::title)
                .containsExactly(
                        "produce acks=1 none 1p", "e2e latency: p99", "produce acks=1 none 1p — Skein durable-ack");
        assertThat(rows.get(2).ratio()).isEqualTo(0.5);
        assertThat(report(m, 1).markdown()).contains("| e2e latency: p99 | ms | lower | 4.00 | 2.00 | 0.50 |");
    }

    @Test
    void failedSideShowsFailedAndTheReasonIsListed() {
        Measurements m = new Measurements();
        m.add("skein", 1, RATE, 120.0);
        m.fail("kafka", 1, "produce acks=1 none 1p", "TimeoutException");

        String markdown = report(m, 1).markdown();

        assertThat(markdown).contains("| produce acks=1 none 1p | records/s | higher | failed | 120 | — |");
        assertThat(markdown).contains("- kafka repetition 1, produce acks=1 none 1p: TimeoutException");
    }

    @Test
    void jsonLinesHoldRunRowsSamplesAndFailures() {
        Measurements m = new Measurements();
        m.add("kafka", 1, RATE, 100.0);
        m.add("skein", 1, RATE, 150.5);
        m.fail("skein", 1, "consume 1p", "said \"no\"");

        List<String> lines = report(m, 1).jsonLines().lines().toList();

        assertThat(lines).hasSize(5);
        assertThat(lines.get(0))
                .startsWith("{\"type\":\"run\",\"started\":\"2026-11-26T03:00:00Z\"")
                .contains("\"cores\":2", "\"load_before\":\"0.10 0.20 0.30\"");
        assertThat(lines.get(1))
                .isEqualTo("{\"type\":\"row\",\"metric\":\"produce.rate\",\"title\":\"produce acks=1 none 1p\","
                        + "\"unit\":\"records/s\",\"better\":\"higher\","
                        + "\"kafka\":{\"median\":100,\"min\":100,\"max\":100,\"n\":1},\"skein_variant\":\"skein\","
                        + "\"skein\":{\"median\":150.5,\"min\":150.5,\"max\":150.5,\"n\":1},\"ratio\":1.505}");
        assertThat(lines.get(2))
                .isEqualTo("{\"type\":\"sample\",\"variant\":\"kafka\",\"repetition\":1,\"metric\":\"produce.rate\","
                        + "\"unit\":\"records/s\",\"value\":100}");
        assertThat(lines.get(4)).contains("\"message\":\"said \\\"no\\\"\"");
    }

    @Test
    void headerNamesMachineLoadAndDate() {
        String markdown = report(new Measurements(), 3).markdown();

        assertThat(markdown)
                .contains("- date: 2026-11-26T03:00:00Z to 2026-11-26T03:20:30Z (20 min 30 s)")
                .contains("- machine: 2 cores (AMD EPYC), 4.0 GiB RAM, Linux 6.18, OpenJDK 17")
                .contains("- load average (1, 5, 15 min): before 0.10 0.20 0.30, after 1.00 2.00 3.00")
                .contains("median of 3 repetitions, with (min–max)");
    }

    private static ResultsReport report(Measurements m, int reps) {
        RunInfo info = new RunInfo(
                Instant.parse("2026-11-26T03:00:00Z"),
                Instant.parse("2026-11-26T03:20:30Z"),
                new MachineInfo(2, "AMD EPYC", 4L * 1024 * 1024, "6.18", "OpenJDK 17"),
                "0.10 0.20 0.30",
                "1.00 2.00 3.00",
                reps,
                List.of("setting one"));
        return new ResultsReport(info, m);
    }
}
