package dev.skein.broker.it;

import dev.skein.broker.txn.TransactionVerifier;
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

    /** See {@link SkeinTestCluster#start(Path, int, Map, TransactionVerifier)}. */
    public static ClusterHarness start(
            Path root, int brokerCount, Map<String, String> overrides, TransactionVerifier verifier) throws Exception {
        ClusterHarness cluster = new ClusterHarness(root, overrides);
        cluster.withVerifier(verifier);
        return cluster.startBrokers(brokerCount);
    }
}
