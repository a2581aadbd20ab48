package dev.skein.bench;

import static dev.skein.bench.CommandLineValues.positiveLong;
import static dev.skein.bench.CommandLineValues.value;

import java.util.OptionalLong;

/**
 * Command line of {@link ClientThroughput}:
 *
 * <pre>
 * (--bootstrap host:port | --embedded) [--records N] [--record-size BYTES] [--label NAME]
 *     [--broker-launch-epoch-ms MS] [--timeout-s S] [--group ID]
 * </pre>
 *
 * A bare number is taken as {@code --records}. {@code --broker-launch-epoch-ms} is when an external broker's process
 * was launched (wall clock, ms since the epoch), so that "start to first acknowledged record" can be measured
 * against a broker the tool did not start; {@code --timeout-s} bounds each phase (topic creation, produce, consume).
 * {@code --group} consumes through a consumer group ({@code subscribe}) instead of {@code assign()}.
 */
record ThroughputOptions(
        String bootstrap,
        boolean embedded,
        long records,
        int recordSize,
        String label,
        OptionalLong brokerLaunchEpochMs,
        int timeoutSeconds,
        String groupId) {

    static final String USAGE = "usage: ClientThroughput (--bootstrap host:port | --embedded) [--records N]"
            + " [--record-size BYTES] [--label NAME] [--broker-launch-epoch-ms MS] [--timeout-s S] [--group ID]";

    /** @throws IllegalArgumentException naming the bad or missing argument */
    static ThroughputOptions parse(String... args) {
        String bootstrap = null;
        boolean embedded = false;
        long records = 1_000_000L;
        int recordSize = 1024;
        String label = null;
        OptionalLong launch = OptionalLong.empty();
        int timeout = 300;
        String group = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--bootstrap" -> bootstrap = value(args, ++i, arg, USAGE);
                case "--embedded" -> embedded = true;
                case "--records" -> records = positiveLong(value(args, ++i, arg, USAGE), arg);
                case "--record-size" -> recordSize = (int) positiveLong(value(args, ++i, arg, USAGE), arg);
                case "--label" -> label = value(args, ++i, arg, USAGE);
                case "--broker-launch-epoch-ms" -> launch =
                        OptionalLong.of(positiveLong(value(args, ++i, arg, USAGE), arg));
                case "--timeout-s" -> timeout = (int) positiveLong(value(args, ++i, arg, USAGE), arg);
                case "--group" -> group = value(args, ++i, arg, USAGE);
                default -> {
                    if (!arg.matches("\\d+")) {
                        throw new IllegalArgumentException("Unknown argument '" + arg + "'; " + USAGE);
                    }
                    records = positiveLong(arg, "records");
                }
            }
        }
        if (embedded == (bootstrap != null)) {
            throw new IllegalArgumentException("Give exactly one of --bootstrap host:port and --embedded; " + USAGE);
        }
        if (embedded && launch.isPresent()) {
            throw new IllegalArgumentException("--broker-launch-epoch-ms is for an external broker only");
        }
        String name = label != null ? label : embedded ? "skein-embedded" : bootstrap;
        return new ThroughputOptions(bootstrap, embedded, records, recordSize, name, launch, timeout, group);
    }
}
