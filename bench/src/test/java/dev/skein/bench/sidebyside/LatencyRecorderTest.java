package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void percentilesAreNearestRankOverAllValues() {
        LatencyRecorder recorder = new LatencyRecorder(4);
        for (long v = 1000; v >= 1; v--) {
            recorder.record(v);
        }

        assertThat(recorder.count()).isEqualTo(1000);
        assertThat(recorder.percentile(0.50)).isEqualTo(500);
        assertThat(recorder.percentile(0.99)).isEqualTo(990);
        assertThat(recorder.percentile(0.999)).isEqualTo(999);
        assertThat(recorder.max()).isEqualTo(1000);
    }

    @Test
    void oneOutlierShowsOnlyInTheHighPercentiles() {
        LatencyRecorder recorder = new LatencyRecorder(16);
        for (int i = 0; i < 999; i++) {
            recorder.record(2);
        }
        recorder.record(5_000);

        assertThat(recorder.percentile(0.99)).isEqualTo(2);
        assertThat(recorder.percentile(0.999)).isEqualTo(2);
        assertThat(recorder.max()).isEqualTo(5_000);
    }

    @Test
    void recordingAfterAPercentileKeepsAllValues() {
        LatencyRecorder recorder = new LatencyRecorder(16);
        recorder.record(10);
        assertThat(recorder.max()).isEqualTo(10);

        recorder.record(30);
        recorder.record(20);

        assertThat(recorder.percentile(0.5)).isEqualTo(20);
        assertThat(recorder.max()).isEqualTo(30);
    }

    @Test
    void emptyRecorderHasNoPercentiles() {
        assertThatThrownBy(() -> new LatencyRecorder(1).percentile(0.5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new LatencyRecorder(1).percentile(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
