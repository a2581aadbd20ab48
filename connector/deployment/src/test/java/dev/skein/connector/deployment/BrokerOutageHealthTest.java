package dev.skein.connector.deployment;

import static org.awaitility.Awaitility.await;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.connector.SkeinConnector;
import io.quarkus.test.QuarkusUnitTest;
import io.smallrye.reactive.messaging.health.HealthReport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Readiness follows the broker: DOWN while the broker this test started is stopped, UP once it is back. */
class BrokerOutageHealthTest {
    // QuarkusUnitTest initialises this class twice (JUnit's and the application's class loader): share by property
    private static final int PORT = Integer.parseInt(System.getProperties()
            .computeIfAbsent("skein.test.outage.port", key -> String.valueOf(freePort()))
            .toString());
    private static final Path DATA_DIR = Path.of(System.getProperties()
            .computeIfAbsent("skein.test.outage.dir", key -> createDataDir().toString())
            .toString());
    private static final Broker[] BROKER = new Broker[1];

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> jar.addClasses(Sink.class))
            .overrideConfigKey("skein.bootstrap.servers", "127.0.0.1:" + PORT)
            .overrideConfigKey("mp.messaging.incoming.outage.connector", "skein")
            .overrideConfigKey(
                    "mp.messaging.incoming.outage.value.deserializer",
                    "org.apache.kafka.common.serialization.StringDeserializer")
            .overrideConfigKey("mp.messaging.incoming.outage.reconnect.backoff.max.ms", "200");

    @Inject
    @Connector("skein")
    SkeinConnector connector;

    @Test
    void readinessIsDownWhileTheBrokerIsGoneAndUpWhenItReturns() {
        BROKER[0] = start();
        await().atMost(Duration.ofSeconds(30))
                .alias("readiness " + describe())
                .until(() -> ready(connector.getReadiness()));
        BROKER[0].close();
        await().atMost(Duration.ofSeconds(30)).until(() -> !ready(connector.getReadiness()));
        BROKER[0] = start();
        await().atMost(Duration.ofSeconds(60)).until(() -> ready(connector.getReadiness()));
    }

    private String describe() {
        StringBuilder out = new StringBuilder();
        connector.getReadiness().getChannels().forEach(info -> out.append(info.getChannel())
                .append('=')
                .append(info.isOk())
                .append(' ')
                .append(info.getMessage())
                .append("; "));
        return out.toString();
    }

    @AfterAll
    static void stopBroker() {
        if (BROKER[0] != null) {
            BROKER[0].close();
        }
    }

    private static boolean ready(HealthReport report) {
        return report.getChannels().stream()
                        .filter(info -> info.getChannel().equals("outage"))
                        .allMatch(HealthReport.ChannelInfo::isOk)
                && !report.getChannels().isEmpty();
    }

    private static Broker start() {
        try {
            return Broker.start(BrokerConfig.from(Map.of(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:" + PORT,
                    "log.dirs",
                    DATA_DIR.toString(),
                    "skein.zookeeper.embedded.port",
                    "0",
                    "num.partitions",
                    "1")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDataDir() {
        try {
            return Files.createTempDirectory("skein-outage");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ApplicationScoped
    public static class Sink {
        @Incoming("outage")
        public void consume(String value) {}
    }
}
