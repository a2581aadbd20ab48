package dev.skein.operator.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
    @Test
    void delayDoublesPerFailureUpToTheMaximumAndResets() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(10));

        assertThat(backoff.nextDelay("a")).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.nextDelay("a")).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.nextDelay("a")).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.nextDelay("a")).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.nextDelay("a")).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.nextDelay("b")).isEqualTo(Duration.ofSeconds(2));

        backoff.reset("a");
        assertThat(backoff.nextDelay("a")).isEqualTo(Duration.ofSeconds(2));
    }
}
