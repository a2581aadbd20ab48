package dev.skein.bench.sidebyside;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders a run's {@link Measurements} as a markdown table (one row per metric: Kafka and Skein as median with
 * min–max over the repetitions, and the ratio Skein ÷ Kafka of the medians) and as JSON lines (one {@code run}
 * object, then one {@code row} per table row, one {@code sample} per measured value, one {@code failure} per failed
 * cell). Rows measured on Skein's durable-ack variant follow the main rows and are compared with Kafka's value of
 * the same workload. Pure: no IO.
 */
final class ResultsReport {
    static final String KAFKA = "kafka";
    static final String SKEIN = "skein";
    static final String SKEIN_DURABLE = "skein-durable";

    /** One table row: a metric compared between Kafka and one Skein variant. */
    record Row(Metric metric, String skeinVariant, Spread kafka, Spread skein) {
        String title() {
            return SKEIN_DURABLE.equals(skeinVariant) ? metric.title() + " — Skein durable-ack" : metric.title();
        }

        /** Skein ÷ Kafka of the medians, or NaN when either is missing or Kafka's is zero. */
        double ratio() {
            if (kafka == null || skein == null || kafka.median() == 0) {
                return Double.NaN;
            }
            return skein.median() / kafka.median();
        }
    }

    private final RunInfo run;
    private final Measurements measurements;

    ResultsReport(RunInfo run, Measurements measurements) {
        this.run = run;
        this.measurements = measurements;
    }

    List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (String variant : List.of(SKEIN, SKEIN_DURABLE)) {
            for (Metric metric : measurements.metrics()) {
                boolean wanted = variant.equals(SKEIN)
                        ? measurements.has(KAFKA, metric) || measurements.has(SKEIN, metric)
                        : measurements.has(SKEIN_DURABLE, metric);
                if (wanted) {
                    rows.add(new Row(metric, variant, spread(KAFKA, metric), spread(variant, metric)));
                }
            }
        }
        return rows;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Skein vs Apache Kafka 4.4.0, side by side\n\n");
        md.append("- date: ")
                .append(run.started())
                .append(" to ")
                .append(run.finished())
                .append(" (")
                .append(minutes(Duration.between(run.started(), run.finished())))
                .append(")\n");
        md.append("- machine: ").append(run.machine().describe()).append('\n');
        md.append("- load average (1, 5, 15 min): before ")
                .append(run.loadBefore())
                .append(", after ")
                .append(run.loadAfter())
                .append('\n');
        for (String setting : run.settings()) {
            md.append("- ").append(setting).append('\n');
        }
        md.append("- each cell: median of ")
                .append(run.repetitions())
                .append(run.repetitions() == 1 ? " repetition" : " repetitions, with (min–max)")
                .append("; ratio = Skein median ÷ Kafka median\n\n");
        md.append("| workload · metric | unit | better | Kafka 4.4.0 | Skein | Skein ÷ Kafka |\n");
        md.append("|---|---|---|---:|---:|---:|\n");
        for (Row row : rows()) {
            md.append("| ")
                    .append(row.title())
                    .append(" | ")
                    .append(row.metric().unit())
                    .append(" | ")
                    .append(row.metric().better().text())
                    .append(" | ")
                    .append(cell(row.kafka(), row.metric().decimals()))
                    .append(" | ")
                    .append(cell(row.skein(), row.metric().decimals()))
                    .append(" | ")
                    .append(Double.isNaN(row.ratio()) ? "—" : String.format(Locale.ROOT, "%.2f", row.ratio()))
                    .append(" |\n");
        }
        List<Measurements.Failure> failures = measurements.failures();
        if (!failures.isEmpty()) {
            md.append("\n## Failed cells\n\n");
            for (Measurements.Failure f : failures) {
                md.append("- ")
                        .append(f.variant())
                        .append(" repetition ")
                        .append(f.repetition())
                        .append(", ")
                        .append(f.cell())
                        .append(": ")
                        .append(f.message())
                        .append('\n');
            }
        }
        return md.toString();
    }

    String jsonLines() {
        StringBuilder out = new StringBuilder();
        MachineInfo m = run.machine();
        out.append("{\"type\":\"run\",\"started\":")
                .append(Json.string(run.started().toString()))
                .append(",\"finished\":")
                .append(Json.string(run.finished().toString()))
                .append(",\"cores\":")
                .append(m.cores())
                .append(",\"cpu\":")
                .append(Json.string(m.cpuModel()))
                .append(",\"ram_kib\":")
                .append(m.ramKib())
                .append(",\"kernel\":")
                .append(Json.string(m.kernel()))
                .append(",\"jdk\":")
                .append(Json.string(m.jdk()))
                .append(",\"load_before\":")
                .append(Json.string(run.loadBefore()))
                .append(",\"load_after\":")
                .append(Json.string(run.loadAfter()))
                .append(",\"repetitions\":")
                .append(run.repetitions())
                .append(",\"settings\":")
                .append(Json.strings(run.settings()))
                .append("}\n");
        for (Row row : rows()) {
            Metric metric = row.metric();
            out.append("{\"type\":\"row\",\"metric\":")
                    .append(Json.string(metric.id()))
                    .append(",\"title\":")
                    .append(Json.string(row.title()))
                    .append(",\"unit\":")
                    .append(Json.string(metric.unit()))
                    .append(",\"better\":")
                    .append(Json.string(metric.better().text()))
                    .append(",\"kafka\":")
                    .append(spreadJson(row.kafka()))
                    .append(",\"skein_variant\":")
                    .append(Json.string(row.skeinVariant()))
                    .append(",\"skein\":")
                    .append(spreadJson(row.skein()))
                    .append(",\"ratio\":")
                    .append(Json.number(row.ratio()))
                    .append("}\n");
        }
        for (Measurements.Sample s : measurements.samples()) {
            out.append("{\"type\":\"sample\",\"variant\":")
                    .append(Json.string(s.variant()))
                    .append(",\"repetition\":")
                    .append(s.repetition())
                    .append(",\"metric\":")
                    .append(Json.string(s.metric().id()))
                    .append(",\"unit\":")
                    .append(Json.string(s.metric().unit()))
                    .append(",\"value\":")
                    .append(Json.number(s.value()))
                    .append("}\n");
        }
        for (Measurements.Failure f : measurements.failures()) {
            out.append("{\"type\":\"failure\",\"variant\":")
                    .append(Json.string(f.variant()))
                    .append(",\"repetition\":")
                    .append(f.repetition())
                    .append(",\"cell\":")
                    .append(Json.string(f.cell()))
                    .append(",\"message\":")
                    .append(Json.string(f.message()))
                    .append("}\n");
        }
        return out.toString();
    }

    private Spread spread(String variant, Metric metric) {
        List<Double> values = measurements.values(variant, metric);
        return values.isEmpty() ? null : Spread.of(values);
    }

    /** {@code median (min–max)}, or the bare value for a single repetition, or "failed" when nothing was measured. */
    static String cell(Spread spread, int decimals) {
        if (spread == null) {
            return "failed";
        }
        String median = number(spread.median(), decimals);
        if (spread.count() == 1) {
            return median;
        }
        return median + " (" + number(spread.min(), decimals) + "–" + number(spread.max(), decimals) + ")";
    }

    static String number(double value, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    private static String spreadJson(Spread spread) {
        if (spread == null) {
            return "null";
        }
        return "{\"median\":" + Json.number(spread.median()) + ",\"min\":" + Json.number(spread.min()) + ",\"max\":"
                + Json.number(spread.max()) + ",\"n\":" + spread.count() + "}";
    }

    private static String minutes(Duration d) {
        return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }
}
