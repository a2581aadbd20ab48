package dev.skein.bench;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one Skein core broker (no Quarkus) in its own JVM, e.g. for idle-memory measurements of the core alone:
 * {@code java -cp benchmarks.jar dev.skein.bench.SkeinBrokerMain key=value...} with broker config keys (e.g.
 * {@code listeners=PLAINTEXT://127.0.0.1:19092 log.dirs=/tmp/skein skein.zookeeper.embedded.port=0}).
 *
 * <p>Prints {@code SKEIN READY port=<port> start_ms=<ms>} once the broker accepts connections, then runs until the
 * JVM is asked to stop (SIGTERM/SIGINT), when a shutdown hook closes the broker.
 */
public final class SkeinBrokerMain {
    private SkeinBrokerMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Map<String, String> props = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Expected key=value, got '" + arg + "'");
            }
            props.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        long startNs = System.nanoTime();
        Broker broker = Broker.start(BrokerConfig.from(props));
        long startMs = (System.nanoTime() - startNs) / 1_000_000;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            broker.close();
                            stopped.countDown();
                        },
                        "skein-broker-shutdown"));
        System.out.println("SKEIN READY port=" + broker.port() + " start_ms=" + startMs);
        System.out.flush();
        stopped.await();
    }
}
