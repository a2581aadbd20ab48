package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Path;

/** Starts one kind of broker as a separate JVM on a fresh data directory under {@code dir}. */
interface BrokerLauncher {
    /** The JVM options both brokers get: Apache Kafka's {@code kafka-server-start.sh} heap and GC defaults. */
    String JVM_FLAGS = "-Xms1g -Xmx1g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20"
            + " -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true";

    /** The variant name used in the results: {@code kafka}, {@code skein} or {@code skein-durable}. */
    String variant();

    /**
     * Prepares {@code dir} (untimed: e.g. formatting Kafka's storage) and launches the broker; the returned broker's
     * launch time is taken just before the process starts. The process is registered for cleanup.
     */
    RunningBroker start(Path dir) throws IOException, InterruptedException;
}
