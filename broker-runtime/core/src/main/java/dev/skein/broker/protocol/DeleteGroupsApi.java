package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;

/** DeleteGroups v0-3: removes empty groups and their offsets; NON_EMPTY_GROUP while members exist. */
final class DeleteGroupsApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    DeleteGroupsApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DeleteGroupsRequest delete = (DeleteGroupsRequest) request;
        return coordinator.deleteGroups(delete.data().groupsNames()).thenApply(results -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            results.forEach((groupId, error) -> response.results()
                    .add(new DeletableGroupResult().setGroupId(groupId).setErrorCode(error.code())));
            return new DeleteGroupsResponse(response);
        });
    }
}
