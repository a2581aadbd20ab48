package dev.skein.broker.it;

import dev.skein.broker.it.FuzzInputs.Input;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Turns a fuzz finding into a regression file. A hang names its input already. An invariant breach names a batch: its
 * inputs are replayed one at a time, in order, on a fresh broker with the thread/liveness invariants checked after
 * each and the log scan after each Produce (and every 100 inputs), and the first input after which a breach of the
 * same kind appears is the culprit; it is then sent alone to another fresh broker to see whether it reproduces without
 * the inputs before it. A replay gives up after 90 s or at an unanswered input. Heap and witness breaches are
 * recorded by batch only. Files go to {@code target/fuzz-findings/}.
 */
final class FuzzMinimizer {
    static final Path OUT = Path.of("target", "fuzz-findings");
    private static final int CHECK_EVERY = 100;
    /** A replay gives up after this long (its batch may hold inputs that wedge the broker, a finding of its own). */
    private static final long REPLAY_BUDGET_NS = 90_000_000_000L;

    private FuzzMinimizer() {}

    /** Minimizes and writes {@code finding}; returns a one-line description for the test report. */
    static String saveFinding(
            FuzzCampaign.Finding finding, FuzzCampaign.Report report, FuzzCampaign.Settings settings, Path scratch)
            throws Exception {
        List<String> description = new ArrayList<>(List.of(
                "finding: " + finding.kind() + ": " + finding.detail(),
                "seed " + report.seed() + ", inputs " + finding.firstInput() + ".." + finding.lastInput()));
        Input culprit = finding.input();
        if (culprit == null && minimizable(finding.detail())) {
            culprit = replayUntilBreach(finding, report.seed(), settings, scratch);
            if (culprit == null) {
                description.add("not reproduced by replaying the batch sequentially on a fresh broker");
            } else {
                boolean alone = reproducesAlone(culprit, finding.detail(), report.seed(), settings, scratch);
                description.add("first breaching input on sequential replay: " + culprit.describe()
                        + (alone ? "; reproduces alone on a fresh broker" : "; needs the inputs before it"));
            }
        }
        String name = finding.kind() + "-" + Long.toHexString(report.seed()) + "-" + finding.firstInput()
                + (culprit == null ? "" : "-" + culprit.index());
        if (culprit != null) {
            description.add(culprit.describe());
            FuzzRegressions.write(OUT, name, description, List.of(culprit.frame()), report.topicIds());
        } else {
            Files.createDirectories(OUT);
            Files.write(
                    OUT.resolve(name + ".txt"),
                    description.stream().map(l -> "# " + l).toList());
        }
        return String.join(" | ", description);
    }

    private static boolean minimizable(String detail) {
        return detail.startsWith("log:")
                || detail.startsWith("broker thread died")
                || detail.startsWith("request thread replaced")
                || detail.startsWith("a fresh connection");
    }

    private static String kindOf(String detail) {
        return FuzzCampaign.category(detail);
    }

    private static Input replayUntilBreach(
            FuzzCampaign.Finding finding, long seed, FuzzCampaign.Settings settings, Path scratch) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(scratch), "replay");
        try (BrokerHarness harness = BrokerHarness.start(dir, FuzzCampaign.brokerOverrides())) {
            Map<String, Uuid> ids = FuzzCampaign.createTopics(harness);
            int port = harness.broker().port();
            FuzzInputs inputs = new FuzzInputs(seed, FuzzCampaign.advertisedApis(port), new FuzzCorpus(ids));
            BrokerInvariants invariants = new BrokerInvariants(
                    port, dir, FuzzCampaign.IO_THREADS, settings.heapBoundBytes(), settings.boundMs());
            String kind = kindOf(finding.detail());
            long deadline = System.nanoTime() + REPLAY_BUDGET_NS;
            try (FuzzConnection connection = new FuzzConnection(port, settings.boundMs())) {
                for (long i = finding.firstInput(); i <= finding.lastInput() && System.nanoTime() < deadline; i++) {
                    Input input = inputs.input(i);
                    if (connection.deliver(input.frame()) == FuzzConnection.Result.SILENT) {
                        return null;
                    }
                    boolean scanLog =
                            kind.startsWith("log:") && (input.key() == ApiKeys.PRODUCE || i % CHECK_EVERY == 0);
                    if (breaches(invariants, dir, scanLog, kind)) {
                        return input;
                    }
                }
            }
        }
        return null;
    }

    private static boolean reproducesAlone(
            Input input, String detail, long seed, FuzzCampaign.Settings settings, Path scratch) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(scratch), "alone");
        try (BrokerHarness harness = BrokerHarness.start(dir, FuzzCampaign.brokerOverrides())) {
            Map<String, Uuid> ids = FuzzCampaign.createTopics(harness);
            int port = harness.broker().port();
            Input regenerated =
                    new FuzzInputs(seed, FuzzCampaign.advertisedApis(port), new FuzzCorpus(ids)).input(input.index());
            BrokerInvariants invariants = new BrokerInvariants(
                    port, dir, FuzzCampaign.IO_THREADS, settings.heapBoundBytes(), settings.boundMs());
            try (FuzzConnection connection = new FuzzConnection(port, settings.boundMs())) {
                connection.deliver(regenerated.frame());
            }
            return breaches(invariants, dir, true, kindOf(detail));
        }
    }

    private static boolean breaches(BrokerInvariants invariants, Path dir, boolean scanLog, String kind)
            throws Exception {
        List<String> found = new ArrayList<>(invariants.checkThreadsAndLiveness());
        if (scanLog) {
            LogScan.scan(dir, Set.of()).forEach(b -> found.add("log: " + b));
        }
        return found.stream().anyMatch(b -> kindOf(b).equals(kind));
    }
}
