package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;

/** Heartbeat v0-4: keeps a member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin. */
final class HeartbeatApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    HeartbeatApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        HeartbeatRequestData data = ((HeartbeatRequest) request).data();
        var error = coordinator.heartbeat(data.groupId(), data.memberId(), data.groupInstanceId(), data.generationId());
        return CompletableFuture.completedFuture(
                new HeartbeatResponse(new HeartbeatResponseData().setErrorCode(error.code())));
    }
}
