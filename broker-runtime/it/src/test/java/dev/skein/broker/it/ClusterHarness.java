package dev.skein.broker.it;

import dev.skein.testkit.SkeinTestCluster;
import java.nio.file.Path;
import java.util.Map;

/** The test kit's {@link SkeinTestCluster} under the short name this package's tests use; it adds no behaviour. */
final class ClusterHarness extends SkeinTestCluster {
    private ClusterHarness(Path root, Map<String, String> overrides) throws Exception {
        super(root, overrides);
    }

    /** See {@link SkeinTestCluster#start}. */
    public static ClusterHarness start(Path root, int brokerCount, Map<String, String> overrides) throws Exception {
        return new ClusterHarness(root, overrides).startBrokers(brokerCount);
    }
}
