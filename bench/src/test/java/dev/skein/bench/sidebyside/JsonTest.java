package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void stringsEscapeQuotesBackslashesAndControlCharacters() {
        assertThat(Json.string("a\"b\\c\nd\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001\"");
    }

    @Test
    void numbersAreValidJsonWithSixSignificantDigits() {
        assertThat(Json.number(42.0)).isEqualTo("42");
        assertThat(Json.number(2.0000001)).isEqualTo("2");
        assertThat(Json.number(0.000123456789)).isEqualTo("0.000123457");
        assertThat(Json.number(123456.789)).isEqualTo("123457");
        assertThat(Json.number(Double.NaN)).isEqualTo("null");
    }

    @Test
    void stringArrays() {
        assertThat(Json.strings(List.of("a", "b"))).isEqualTo("[\"a\",\"b\"]");
    }
}
