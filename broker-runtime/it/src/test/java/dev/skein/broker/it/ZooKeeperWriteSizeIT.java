package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CreateTopics or CreatePartitions whose ZooKeeper write would exceed what ZooKeeper takes in one request
 * ({@code jute.maxbuffer}, 1 MiB) is refused with POLICY_VIOLATION, instead of being sent: ZooKeeper answers an
 * oversized request by dropping the connection, Curator resends it, and the broker was cut off ZooKeeper for as
 * long as the client's request lived (found by the fuzzer: 9,986 partitions in one CreateTopics). Afterwards the
 * broker's ZooKeeper session is intact: it creates, grows and deletes topics as before.
 */
class ZooKeeperWriteSizeIT {
    private static final int TOO_MANY = 9_000;

    @TempDir
    Path dataDir;

    @Test
    void oversizedTopicWritesAreRefusedAndTheBrokerKeepsItsZooKeeperSession() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir)) {
            Admin admin = harness.admin();
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("huge", TOO_MANY, (short) 1)))
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(PolicyViolationException.class)
                    .hasMessageContaining("jute.maxbuffer")
                    .hasMessageContaining("CreatePartitions");

            admin.createTopics(List.of(new NewTopic("normal", 10, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> admin.createPartitions(Map.of("normal", NewPartitions.increaseTo(TOO_MANY)))
                            .all()
                            .get(30, TimeUnit.SECONDS))
                    .cause()
                    .isInstanceOf(PolicyViolationException.class);
            admin.createPartitions(Map.of("normal", NewPartitions.increaseTo(300)))
                    .all()
                    .get(30, TimeUnit.SECONDS);

            assertThat(admin.describeTopics(List.of("normal"))
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .get("normal")
                            .partitions())
                    .hasSize(300);
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("huge");
            admin.deleteTopics(List.of("normal")).all().get(30, TimeUnit.SECONDS);
        }
    }
}
