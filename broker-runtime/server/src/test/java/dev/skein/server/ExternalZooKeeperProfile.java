package dev.skein.server;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** A broker on an ephemeral Kafka port using the external ZooKeeper of {@link ExternalZooKeeper}. */
public class ExternalZooKeeperProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(ExternalZooKeeper.class));
    }
}
