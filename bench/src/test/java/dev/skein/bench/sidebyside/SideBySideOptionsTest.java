package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SideBySideOptionsTest {

    @Test
    void fullRunDefaultsToThreeRepetitionsOfHalfAMillionRecords() {
        SideBySideOptions options = SideBySideOptions.parse("--kafka-classpath", "cp.txt");

        assertThat(options.quick()).isFalse();
        assertThat(options.repetitions()).isEqualTo(3);
        assertThat(options.records()).isEqualTo(500_000);
        assertThat(options.warmupRecords()).isEqualTo(100_000);
        assertThat(options.latencyRate()).isEqualTo(50_000);
        assertThat(options.resultsDir()).isEqualTo(Path.of("bench/results"));
        assertThat(options.kafkaClasspathFile()).isEqualTo(Path.of("cp.txt"));
        assertThat(options.runs("anything")).isTrue();
    }

    @Test
    void quickShrinksEverythingAndWritesToTheIgnoredDirectory() {
        SideBySideOptions options = SideBySideOptions.parse("--kafka-classpath", "cp.txt", "--quick");

        assertThat(options.repetitions()).isEqualTo(1);
        assertThat(options.records()).isEqualTo(20_000);
        assertThat(options.latencySeconds()).isEqualTo(3);
        assertThat(options.resultsDir()).isEqualTo(Path.of("bench/results/quick"));
    }

    @Test
    void explicitFlagsWinOverQuickWhateverTheirPosition() {
        SideBySideOptions options =
                SideBySideOptions.parse("--records", "5000", "--kafka-classpath", "cp.txt", "--quick", "--reps", "2");

        assertThat(options.records()).isEqualTo(5000);
        assertThat(options.repetitions()).isEqualTo(2);
    }

    @Test
    void cellFilterIsARegularExpressionSearch() {
        SideBySideOptions options = SideBySideOptions.parse("--kafka-classpath", "cp", "--cells", "consume 16p");

        assertThat(options.runs("consume 16p")).isTrue();
        assertThat(options.runs("consume 1p")).isFalse();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> SideBySideOptions.parse("--quick"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka-classpath");
        assertThatThrownBy(() -> SideBySideOptions.parse("--kafka-classpath", "cp", "--reps", "0"))
                .hasMessageContaining("--reps must be a positive integer");
        assertThatThrownBy(() -> SideBySideOptions.parse("--kafka-classpath", "cp", "--bogus"))
                .hasMessageContaining("Unknown argument '--bogus'");
        assertThatThrownBy(() -> SideBySideOptions.parse("--kafka-classpath"))
                .hasMessageContaining("--kafka-classpath needs a value");
        assertThatThrownBy(() -> SideBySideOptions.parse("--kafka-classpath", "cp", "--cells", "("))
                .hasMessageContaining("--cells is not a valid regular expression");
    }
}
