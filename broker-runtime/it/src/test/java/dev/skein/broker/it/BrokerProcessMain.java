package dev.skein.broker.it;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs one broker in its own JVM for crash tests: arguments are {@code key=value} broker properties. Prints
 * {@code READY <port>} once serving, then runs until killed.
 */
public final class BrokerProcessMain {
    private BrokerProcessMain() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> props = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            props.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Broker broker = Broker.start(BrokerConfig.from(props));
        System.out.println("READY " + broker.port());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
