package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpreadTest {

    @Test
    void oddCountTakesTheMiddleValueAndTheRange() {
        Spread spread = Spread.of(List.of(30.0, 10.0, 20.0));

        assertThat(spread).isEqualTo(new Spread(20.0, 10.0, 30.0, 3));
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        assertThat(Spread.of(List.of(4.0, 1.0, 3.0, 2.0)).median()).isEqualTo(2.5);
    }

    @Test
    void singleValueIsItsOwnMedianAndRange() {
        assertThat(Spread.of(List.of(7.0))).isEqualTo(new Spread(7.0, 7.0, 7.0, 1));
    }

    @Test
    void refusesNothingAndNaN() {
        assertThatThrownBy(() -> Spread.of(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Spread.of(List.of(1.0, Double.NaN))).isInstanceOf(IllegalArgumentException.class);
    }
}
