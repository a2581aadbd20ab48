package dev.skein.broker.fault;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One broker in its own JVM for the fault-injection suite: arguments are {@code key=value} broker properties. Prints
 * {@code READY <port>} once serving, then runs until killed; SIGTERM closes the broker cleanly (a shutdown hook), so
 * the harness can stop a healed cluster and read its log directories.
 */
public final class FaultBrokerMain {
    private FaultBrokerMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> props = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            props.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Broker broker = Broker.start(BrokerConfig.from(props));
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "broker-shutdown"));
        System.out.println("READY " + broker.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
