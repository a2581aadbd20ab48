package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.group.GroupListing;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;

/** ListGroups v0-5, with the state filter (v4+) and type filter (v5+; every group here is a "classic" group). */
final class ListGroupsApi implements ApiHandler {
    private static final String CLASSIC = "classic";

    private final GroupCoordinator coordinator;

    ListGroupsApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        ListGroupsRequestData data = ((ListGroupsRequest) request).data();
        short version = context.apiVersion();
        Set<String> states = version >= 4 ? new HashSet<>(data.statesFilter()) : Set.of();
        boolean classicWanted = version < 5
                || data.typesFilter().isEmpty()
                || data.typesFilter().stream().anyMatch(CLASSIC::equalsIgnoreCase);
        Map.Entry<Errors, List<GroupListing>> listed = coordinator.listGroups(states);
        ListGroupsResponseData response =
                new ListGroupsResponseData().setErrorCode(listed.getKey().code());
        if (classicWanted) {
            for (GroupListing g : listed.getValue()) {
                ListGroupsResponseData.ListedGroup group = new ListGroupsResponseData.ListedGroup()
                        .setGroupId(g.groupId())
                        .setProtocolType(g.protocolType());
                if (version >= 4) {
                    group.setGroupState(g.state());
                }
                if (version >= 5) {
                    group.setGroupType(CLASSIC);
                }
                response.groups().add(group);
            }
        }
        return CompletableFuture.completedFuture(new ListGroupsResponse(response));
    }
}
