package dev.skein.connector.deployment;

import io.quarkus.test.QuarkusUnitTest;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Shared by {@link AppRestartTest} and the two applications it runs. Each Quarkus application has its own class
 * loader, so what they processed is kept in queues stored in the system properties (a JVM-wide map holding JDK
 * classes every loader shares).
 */
final class RestartLedger {
    static final int RECORDS = 300;
    static final int ACKED_BY_FIRST = 100;
    static final String BOOTSTRAP_PROPERTY = "skein.test.app-restart.bootstrap";
    static final String FIRST_RUN = "skein.test.app-restart.first";
    static final String SECOND_RUN = "skein.test.app-restart.second";

    private RestartLedger() {}

    @SuppressWarnings("unchecked")
    static Queue<String> sharedQueue(String name) {
        return (Queue<String>) System.getProperties().computeIfAbsent(name, key -> new ConcurrentLinkedQueue<String>());
    }

    /** An application consuming {@code restart-in} with {@code processor}, against the broker the test started. */
    static QuarkusUnitTest application(Class<?> processor) {
        return new QuarkusUnitTest()
                .withApplicationRoot(jar -> jar.addClasses(processor, RestartLedger.class))
                .overrideConfigKey("quarkus.skein.devservices.enabled", "false")
                .overrideConfigKey("skein.bootstrap.servers", System.getProperty(BOOTSTRAP_PROPERTY, "unset:1"))
                .overrideConfigKey("mp.messaging.incoming.restart-in.connector", "skein")
                .overrideConfigKey("mp.messaging.incoming.restart-in.auto.offset.reset", "earliest")
                .overrideConfigKey("mp.messaging.incoming.restart-in.graceful-shutdown.timeout.ms", "1000")
                .overrideConfigKey(
                        "mp.messaging.incoming.restart-in.value.deserializer",
                        "org.apache.kafka.common.serialization.StringDeserializer");
    }
}
