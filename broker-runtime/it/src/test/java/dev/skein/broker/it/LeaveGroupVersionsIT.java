package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that joined leaves cleanly at every LeaveGroup version. librdkafka (kcat) and kafkajs leave with v1,
 * whose response has only a top-level error and no member list.
 */
class LeaveGroupVersionsIT {
    @TempDir
    Path dataDir;

    @Test
    void joinedMemberLeavesAtEveryVersion() throws Exception {
        try (BrokerHarness harness = BrokerHarness.start(dataDir, Map.of("group.initial.rebalance.delay.ms", "0"))) {
            // the admin client retries FindCoordinator until __consumer_offsets is created and loaded
            harness.admin().listConsumerGroupOffsets("leave-warmup").all().get();
            ApiKeys key = ApiKeys.LEAVE_GROUP;
            try (RawConnection raw = new RawConnection(harness.broker().port())) {
                for (short v = key.oldestVersion(); v <= key.latestVersion(); v++) {
                    String group = "leave-v" + v;
                    JoinGroupResponse joined = (JoinGroupResponse) raw.send(joinRequest(group));
                    assertThat(joined.error()).as("JoinGroup for %s", group).isEqualTo(Errors.NONE);
                    String memberId = joined.data().memberId();

                    LeaveGroupResponse left = (LeaveGroupResponse) raw.send(
                            new LeaveGroupRequest.Builder(group, List.of(new MemberIdentity().setMemberId(memberId)))
                                    .build(v));

                    assertThat(left.errorCounts().keySet())
                            .as("LeaveGroup v%d", v)
                            .containsOnly(Errors.NONE);
                }
            }
        }
    }

    private static JoinGroupRequest joinRequest(String group) {
        JoinGroupRequestProtocolCollection protocols = new JoinGroupRequestProtocolCollection();
        protocols.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {0, 0}));
        // v1: no member-id-required round trip, rebalance timeout present
        return new JoinGroupRequest.Builder(new JoinGroupRequestData()
                        .setGroupId(group)
                        .setSessionTimeoutMs(10_000)
                        .setRebalanceTimeoutMs(10_000)
                        .setMemberId("")
                        .setProtocolType("consumer")
                        .setProtocols(protocols))
                .build((short) 1);
    }
}
