package dev.skein.bench.sidebyside;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured: the value of each metric per broker variant and repetition, in the order metrics
 * were first recorded, plus the cells that failed. Not thread-safe: the harness records from its main thread.
 */
final class Measurements {
    /** One value of one metric on one broker variant in one repetition. */
    record Sample(String variant, int repetition, Metric metric, double value) {}

    /** A cell that did not complete: its values are missing and the run fails. */
    record Failure(String variant, int repetition, String cell, String message) {}

    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();
    private final List<Failure> failures = new ArrayList<>();

    /** Fixes the position of {@code metric} in the results before anything is measured. */
    void declare(Metric metric) {
        Metric known = metrics.putIfAbsent(metric.id(), metric);
        if (known != null && !known.equals(metric)) {
            throw new IllegalArgumentException("Metric id " + metric.id() + " used for " + known + " and " + metric);
        }
    }

    void add(String variant, int repetition, Metric metric, double value) {
        declare(metric);
        samples.add(new Sample(variant, repetition, metric, value));
    }

    void fail(String variant, int repetition, String cell, String message) {
        failures.add(new Failure(variant, repetition, cell, message));
    }

    List<Metric> metrics() {
        return List.copyOf(metrics.values());
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** The values of {@code metric} on {@code variant}, one per repetition that produced one. */
    List<Double> values(String variant, Metric metric) {
        List<Double> values = new ArrayList<>();
        for (Sample s : samples) {
            if (s.variant().equals(variant) && s.metric().id().equals(metric.id())) {
                values.add(s.value());
            }
        }
        return values;
    }

    boolean has(String variant, Metric metric) {
        return !values(variant, metric).isEmpty();
    }
}
