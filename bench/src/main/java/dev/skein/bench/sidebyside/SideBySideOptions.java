package dev.skein.bench.sidebyside;

import static dev.skein.bench.CommandLineValues.positiveInt;
import static dev.skein.bench.CommandLineValues.positiveLong;
import static dev.skein.bench.CommandLineValues.value;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Command line of {@link SideBySide}:
 *
 * <pre>
 * --kafka-classpath FILE [--quick] [--reps N] [--records N] [--warmup-records N] [--latency-rate N]
 *     [--latency-seconds S] [--latency-warmup-seconds S] [--idle-seconds S] [--timeout-s S]
 *     [--skein-launcher PATH] [--results-dir DIR] [--cells REGEX] [--jfr DIR]
 * </pre>
 *
 * {@code --quick} switches every default to a seconds-long smoke run (1 repetition, 20,000 records per produce
 * cell, 3 s of latency measurement, results under {@code bench/results/quick}); flags given explicitly still win,
 * whatever their position. {@code --cells} runs only the cells whose name matches (e.g. {@code 'produce.*16p'});
 * {@code --jfr} starts every broker JVM with a JFR recording written to that directory.
 */
record SideBySideOptions(
        boolean quick,
        int repetitions,
        long records,
        long warmupRecords,
        int latencyRate,
        int latencySeconds,
        int latencyWarmupSeconds,
        int idleSeconds,
        int timeoutSeconds,
        Path kafkaClasspathFile,
        Path skeinLauncher,
        Path resultsDir,
        Optional<Pattern> cells,
        Optional<Path> jfrDir) {

    static final String USAGE = "usage: side-by-side.sh [--quick] [--reps N] [--records N] [--warmup-records N]"
            + " [--latency-rate N] [--latency-seconds S] [--latency-warmup-seconds S] [--idle-seconds S]"
            + " [--timeout-s S] [--skein-launcher PATH] [--results-dir DIR] [--cells REGEX] [--jfr DIR]"
            + " (the script adds --kafka-classpath FILE)";

    /** @throws IllegalArgumentException naming the bad, unknown or missing argument */
    static SideBySideOptions parse(String... args) {
        boolean quick = false;
        for (String arg : args) {
            quick |= arg.equals("--quick");
        }
        int reps = quick ? 1 : 3;
        long records = quick ? 20_000 : 500_000;
        long warmup = quick ? 2_000 : 100_000;
        int rate = 50_000;
        int latencySeconds = quick ? 3 : 20;
        int latencyWarmup = quick ? 1 : 5;
        int idle = quick ? 1 : 10;
        int timeout = quick ? 120 : 300;
        Path classpath = null;
        Path launcher = Path.of("skein");
        Path results = Path.of(quick ? "bench/results/quick" : "bench/results");
        Optional<Pattern> cells = Optional.empty();
        Optional<Path> jfr = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--quick" -> {}
                case "--reps" -> reps = positiveInt(value(args, ++i, arg, USAGE), arg);
                case "--records" -> records = positiveLong(value(args, ++i, arg, USAGE), arg);
                case "--warmup-records" -> warmup = positiveLong(value(args, ++i, arg, USAGE), arg);
                case "--latency-rate" -> rate = positiveInt(value(args, ++i, arg, USAGE), arg);
                case "--latency-seconds" -> latencySeconds = positiveInt(value(args, ++i, arg, USAGE), arg);
                case "--latency-warmup-seconds" -> latencyWarmup = positiveInt(value(args, ++i, arg, USAGE), arg);
                case "--idle-seconds" -> idle = positiveInt(value(args, ++i, arg, USAGE), arg);
                case "--timeout-s" -> timeout = positiveInt(value(args, ++i, arg, USAGE), arg);
                case "--kafka-classpath" -> classpath = Path.of(value(args, ++i, arg, USAGE));
                case "--skein-launcher" -> launcher = Path.of(value(args, ++i, arg, USAGE));
                case "--results-dir" -> results = Path.of(value(args, ++i, arg, USAGE));
                case "--cells" -> cells = Optional.of(regex(value(args, ++i, arg, USAGE), arg));
                case "--jfr" -> jfr = Optional.of(Path.of(value(args, ++i, arg, USAGE)));
                default -> throw new IllegalArgumentException("Unknown argument '" + arg + "'; " + USAGE);
            }
        }
        if (classpath == null) {
            throw new IllegalArgumentException("--kafka-classpath FILE is required; " + USAGE);
        }
        return new SideBySideOptions(
                quick,
                reps,
                records,
                warmup,
                rate,
                latencySeconds,
                latencyWarmup,
                idle,
                timeout,
                classpath,
                launcher,
                results,
                cells,
                jfr);
    }

    boolean runs(String cellName) {
        return cells.map(p -> p.matcher(cellName).find()).orElse(true);
    }

    private static Pattern regex(String text, String name) {
        try {
            return Pattern.compile(text);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(name + " is not a valid regular expression: " + e.getMessage(), e);
        }
    }
}
