package dev.skein.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ThroughputOptionsTest {

    @Test
    void embeddedRunDefaultsToOneMillionRecordsOfOneKiB() {
        ThroughputOptions options = ThroughputOptions.parse("--embedded");

        assertThat(options.embedded()).isTrue();
        assertThat(options.records()).isEqualTo(1_000_000L);
        assertThat(options.recordSize()).isEqualTo(1024);
        assertThat(options.label()).isEqualTo("skein-embedded");
    }

    @Test
    void externalBrokerTakesBootstrapRecordCountAndLaunchTime() {
        ThroughputOptions options = ThroughputOptions.parse(
                "--bootstrap",
                "127.0.0.1:9092",
                "5000",
                "--label",
                "kafka",
                "--broker-launch-epoch-ms",
                "1700000000000");

        assertThat(options.bootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(options.records()).isEqualTo(5000L);
        assertThat(options.label()).isEqualTo("kafka");
        assertThat(options.brokerLaunchEpochMs()).isEqualTo(OptionalLong.of(1_700_000_000_000L));
    }

    @Test
    void rejectsBothOrNeitherTarget() {
        assertThatThrownBy(ThroughputOptions::parse).hasMessageContaining("exactly one of");
        assertThatThrownBy(() -> ThroughputOptions.parse("--embedded", "--bootstrap", "h:1"))
                .hasMessageContaining("exactly one of");
    }

    @Test
    void rejectsNonPositiveRecordCount() {
        assertThatThrownBy(() -> ThroughputOptions.parse("--embedded", "--records", "0"))
                .hasMessageContaining("--records must be a positive integer");
    }
}
