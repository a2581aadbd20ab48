package dev.skein.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.broker.config.BrokerConfig;
import java.net.BindException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerLifecycleTest {
    @Test
    void invalidValueFailsWithOneLineNamingTheKey() {
        assertThatThrownBy(() -> BrokerLifecycle.start(Map.of("num.io.threads", "many")))
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining("num.io.threads")
                .hasMessageContaining("many")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void startupFailureBecomesAQuarkusConfigurationProblemWithoutCause() {
        StartupFailure failure = new StartupFailure("listeners: bad");

        assertThat(failure.toQuarkus())
                .hasMessage("Skein cannot start: listeners: bad")
                .hasNoCause();
    }

    @Test
    void bindFailureNamesThePortAndTheKey() {
        BrokerConfig config = BrokerConfig.from(Map.of("listeners", "PLAINTEXT://127.0.0.1:19092"));

        String message = BrokerLifecycle.describeBindFailure(config, new BindException("Address already in use"));

        assertThat(message)
                .contains("port 127.0.0.1:19092 is already in use")
                .contains("listeners=PLAINTEXT://127.0.0.1:19092")
                .doesNotContain("\n");
    }

    @Test
    void reportsKeysNoDefinitionDeclares() {
        assertThat(BrokerLifecycle.unknownKeys(
                        Map.of("num.partition", "3", "log.dirs", "d", "log.segment.bytes", "1024")))
                .containsExactly("num.partition");
    }
}
