/**
 * The test kit every module's tests use to run Skein:
 * <ul>
 *   <li>{@link dev.skein.testkit.SkeinTestBroker}: one in-JVM broker with embedded ZooKeeper, as a JUnit 5 extension
 *       (per class or per test) or try-with-resources; restart on the same port, with a fault hook while it is down;
 *   <li>{@link dev.skein.testkit.SkeinTestCluster}: N in-JVM brokers on an external ZooKeeper the test can stop and
 *       restart, with waits on the brokers' metadata;
 *   <li>{@link dev.skein.testkit.SkeinTestProcess}: a broker in its own JVM ({@link dev.skein.testkit.SkeinBrokerMain},
 *       also the main class of tests that build their own command line);
 *   <li>{@link dev.skein.testkit.LeakCheck}: threads, ports, open broker files and child processes left behind; run by
 *       the extension when it closes its broker, or on every class of a module by JUnit's extension auto-detection;
 *   <li>from the leaf module {@code testkit-time}, the manual clock {@link dev.skein.testkit.time.ManualTime}.
 * </ul>
 *
 * <p>Why two modules and not one: this module starts brokers, so it depends on the broker core; the core's own unit
 * tests need a manual clock too, and a test-scope dependency of the core on this module would be a Maven cycle. The
 * clock needs nothing of the core (it implements kafka-clients' {@code Time}), so it alone sits below the core, and the
 * kit re-exports it. Copying it into the core's tests instead would give two clocks to keep in step. For the same
 * reason the core's tests that start brokers live in {@code broker-runtime/it}, a module after both.
 */
package dev.skein.testkit;
