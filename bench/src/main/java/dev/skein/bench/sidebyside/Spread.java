package dev.skein.bench.sidebyside;

import java.util.Arrays;
import java.util.List;

/**
 * Median and range of the repetitions of one measurement. With an even count the median is the mean of the two
 * middle values. Immutable.
 */
record Spread(double median, double min, double max, int count) {

    /** @throws IllegalArgumentException if {@code values} is empty or holds NaN */
    static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("No values to summarise");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        for (double v : sorted) {
            if (Double.isNaN(v)) {
                throw new IllegalArgumentException("NaN among " + values);
            }
        }
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
        return new Spread(median, sorted[0], sorted[n - 1], n);
    }
}
