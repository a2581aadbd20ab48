/**
 * The test kit every module's tests use to run Skein: {@link dev.skein.testkit.SkeinTestBroker} (one in-JVM broker as
 * a JUnit 5 extension or try-with-resources), {@link dev.skein.testkit.LeakCheck} (threads, ports, open files) and,
 * from the leaf module {@code testkit-time}, the manual clock {@link dev.skein.testkit.time.ManualTime}.
 *
 * <p>Why two modules and not one: this module starts brokers, so it depends on the broker core; the core's own unit
 * tests need a manual clock too, and a test-scope dependency of the core on this module would be a Maven cycle. The
 * clock needs nothing of the core (it implements kafka-clients' {@code Time}), so it alone sits below the core, and the
 * kit re-exports it. Copying it into the core's tests instead would give two clocks to keep in step. For the same
 * reason the core's tests that start brokers live in {@code broker-runtime/it}, a module after both.
 */
package dev.skein.testkit;
