package dev.skein.testkit;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The main class of a broker in its own JVM ({@link SkeinTestProcess}, and tests that build their own command line on
 * the test classpath: crash, failover and fault-injection suites): arguments are {@code key=value} broker properties.
 * Prints {@code READY <port>} once serving, then runs until killed; SIGTERM closes the broker cleanly (a shutdown
 * hook), so a harness can stop a healed cluster and read its log directories; kill -9 is a crash. A broker that
 * fails to start ends the JVM with exit code 1, so a harness sees the failure at once instead of a process that never
 * prints {@code READY}.
 */
public final class SkeinBrokerMain {
    private SkeinBrokerMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> props = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            props.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Broker broker;
        try {
            broker = Broker.start(BrokerConfig.from(props));
        } catch (Exception | Error e) {
            e.printStackTrace();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println("READY " + broker.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
