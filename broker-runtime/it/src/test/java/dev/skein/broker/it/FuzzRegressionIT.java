package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays every fuzzer finding kept under {@code src/test/resources/fuzz-regressions/} ({@link FuzzRegressions}
 * format), each on a fresh in-JVM broker with the fuzz topics: every frame must be answered or its connection closed
 * within the fuzzer's bound, and afterwards the broker must pass all of {@link BrokerInvariants}.
 */
class FuzzRegressionIT {
    @TempDir
    Path dataDir;

    @TestFactory
    Stream<DynamicTest> everyRegressionInputLeavesTheBrokerSound() throws Exception {
        return regressionFiles().stream()
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> replay(file)));
    }

    private void replay(Path file) throws Exception {
        FuzzRegressions.Regression regression = FuzzRegressions.read(file);
        Path dir = Files.createDirectories(dataDir.resolve(regression.name()));
        try (BrokerHarness harness = BrokerHarness.start(dir, FuzzCampaign.brokerOverrides())) {
            Map<String, Uuid> ids = FuzzCampaign.createTopics(harness);
            int port = harness.broker().port();
            BrokerInvariants invariants =
                    new BrokerInvariants(port, dir, FuzzCampaign.IO_THREADS, 1024L << 20, BrokerFuzzIT.BOUND_MS);
            try (FuzzConnection connection = new FuzzConnection(port, BrokerFuzzIT.BOUND_MS)) {
                for (byte[] frame : regression.framesFor(ids)) {
                    FuzzConnection.Result result = connection.deliver(frame);
                    assertThat(result)
                            .as("%s: answered or closed within %d ms", regression.description(), BrokerFuzzIT.BOUND_MS)
                            .isNotEqualTo(FuzzConnection.Result.SILENT);
                }
            }
            assertThat(invariants.checkAll(Set.of()))
                    .as(regression.description())
                    .isEmpty();
        }
    }

    private static List<Path> regressionFiles() throws URISyntaxException, java.io.IOException {
        URL root = FuzzRegressionIT.class.getResource("/fuzz-regressions");
        if (root == null) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
            return files.filter(f -> f.toString().endsWith(".txt")).sorted().toList();
        }
    }
}
