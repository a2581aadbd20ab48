package dev.skein.compat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for Apache Kafka's own tools (kafka-tools 4.4.0 on the test classpath), each run in a fresh JVM
 * so that the tools' {@code Exit.exit} cannot end the test JVM.
 */
final class KafkaTool {
    private KafkaTool() {}

    /** {@code java -cp <test classpath> mainClass args...}, tuned for a fast start of a short-lived JVM. */
    static List<String> command(String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.add("-Xmx512m");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(testClasspath());
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    static ExternalProcess.ProcessResult run(Path dir, String name, Duration timeout, String mainClass, String... args)
            throws IOException, InterruptedException {
        return ExternalProcess.run(dir, name, timeout, command(mainClass, List.of(args)), null);
    }

    static ExternalProcess.ProcessResult runWithInput(
            Path dir, String name, Duration timeout, Path stdin, String mainClass, String... args)
            throws IOException, InterruptedException {
        return ExternalProcess.run(dir, name, timeout, command(mainClass, List.of(args)), stdin);
    }

    /** The test classpath; surefire/failsafe may hide it behind a manifest-only jar on {@code java.class.path}. */
    private static String testClasspath() {
        String fromPlugin = System.getProperty("surefire.test.class.path");
        String classpath =
                fromPlugin != null && !fromPlugin.isBlank() ? fromPlugin : System.getProperty("java.class.path");
        return String.join(File.pathSeparator, classpath.split(File.pathSeparator));
    }
}
