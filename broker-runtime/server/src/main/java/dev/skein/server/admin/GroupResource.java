package dev.skein.server.admin;

import static dev.skein.server.admin.KafkaClients.await;

import dev.skein.server.admin.GroupViews.AssignedPartition;
import dev.skein.server.admin.GroupViews.GroupSummary;
import dev.skein.server.admin.GroupViews.GroupView;
import dev.skein.server.admin.GroupViews.MemberView;
import dev.skein.server.admin.GroupViews.OffsetView;
import dev.skein.server.admin.GroupViews.ResetRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@code /api/v1/groups}: consumer groups through the Kafka Admin client, which finds each group's coordinator.
 * Offsets are reset only while a group has no members, so that no running consumer commits over the reset.
 */
@Path("/api/v1/groups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class GroupResource {
    private static final String CONSUMER_PROTOCOL = "consumer";

    private final KafkaClients clients;

    @Inject
    public GroupResource(KafkaClients clients) {
        this.clients = clients;
    }

    /** The consumer groups (including those that only hold committed offsets), sorted by id. */
    @GET
    public List<GroupSummary> list() {
        List<GroupSummary> groups = new ArrayList<>();
        for (GroupListing group : await(clients.admin().listGroups().all())) {
            if (group.protocol().isEmpty() || group.protocol().equals(CONSUMER_PROTOCOL)) {
                groups.add(new GroupSummary(
                        group.groupId(),
                        group.groupState().map(GroupState::toString).orElse(GroupState.UNKNOWN.toString())));
            }
        }
        groups.sort(Comparator.comparing(GroupSummary::groupId));
        return groups;
    }

    /** State, assignor, coordinator and members with their assigned partitions; 404 for an unknown group. */
    @GET
    @Path("{groupId}")
    public GroupView describe(@PathParam("groupId") String groupId) {
        ConsumerGroupDescription group = existing(groupId);
        List<MemberView> members = new ArrayList<>();
        for (MemberDescription member : group.members()) {
            List<AssignedPartition> assigned = new ArrayList<>();
            for (TopicPartition tp : member.assignment().topicPartitions()) {
                assigned.add(new AssignedPartition(tp.topic(), tp.partition()));
            }
            assigned.sort(
                    Comparator.comparing(AssignedPartition::topic).thenComparingInt(AssignedPartition::partition));
            members.add(new MemberView(
                    member.consumerId(),
                    member.groupInstanceId().orElse(null),
                    member.clientId(),
                    member.host(),
                    assigned));
        }
        members.sort(Comparator.comparing(MemberView::memberId));
        return new GroupView(
                groupId,
                group.groupState().toString(),
                group.partitionAssignor(),
                group.coordinator() == null ? -1 : group.coordinator().id(),
                members);
    }

    /** Committed offsets with log end offset and lag per partition. */
    @GET
    @Path("{groupId}/offsets")
    public List<OffsetView> offsets(@PathParam("groupId") String groupId) {
        existing(groupId);
        return committed(groupId);
    }

    /**
     * Moves the committed offsets of an empty or not yet existing group (409 while it has members); returns all its
     * committed offsets.
     */
    @POST
    @Path("{groupId}/offsets/reset")
    public List<OffsetView> reset(@PathParam("groupId") String groupId, ResetRequest request) {
        if (request == null || request.topic() == null || request.to() == null) {
            throw ProblemMapper.badRequest(
                    "The request body must name topic and to: {\"topic\": ..., \"to\": \"earliest\"}");
        }
        Admin admin = clients.admin();
        int members = memberCount(groupId);
        if (members > 0) {
            throw ProblemMapper.conflict("Group '" + groupId + "' has " + members
                    + " active member(s); offsets can only be reset while the group is empty");
        }
        List<TopicPartition> partitions = partitions(request);
        Map<TopicPartition, OffsetAndMetadata> target = new HashMap<>();
        if (request.to().equals("offset")) {
            if (request.offset() == null || request.offset() < 0) {
                throw ProblemMapper.badRequest("to=offset needs offset >= 0, got " + request.offset());
            }
            partitions.forEach(tp -> target.put(tp, new OffsetAndMetadata(request.offset())));
        } else {
            OffsetSpec spec = spec(request);
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, spec));
            Map<TopicPartition, ListOffsetsResultInfo> found =
                    await(admin.listOffsets(query).all());
            Map<TopicPartition, ListOffsetsResultInfo> ends = null;
            for (TopicPartition tp : partitions) {
                long offset = found.get(tp).offset();
                if (offset < 0) {
                    // No record at or after the timestamp: start after the last record, as kafka-consumer-groups does.
                    if (ends == null) {
                        ends = await(admin.listOffsets(latest(partitions)).all());
                    }
                    offset = ends.get(tp).offset();
                }
                target.put(tp, new OffsetAndMetadata(offset));
            }
        }
        await(admin.alterConsumerGroupOffsets(groupId, target).all());
        return committed(groupId);
    }

    /** Deletes an empty group and its committed offsets; 409 while it has members, 404 if unknown. */
    @DELETE
    @Path("{groupId}")
    public Response delete(@PathParam("groupId") String groupId) {
        await(clients.admin().deleteConsumerGroups(List.of(groupId)).all());
        return Response.noContent().build();
    }

    /** Members of the group, 0 when it does not exist (committing offsets creates it). */
    private int memberCount(String groupId) {
        try {
            return existing(groupId).members().size();
        } catch (GroupIdNotFoundException e) {
            return 0;
        }
    }

    private ConsumerGroupDescription existing(String groupId) {
        ConsumerGroupDescription group = await(
                        clients.admin().describeConsumerGroups(List.of(groupId)).all())
                .get(groupId);
        if (group.groupState() == GroupState.DEAD) {
            throw new GroupIdNotFoundException("Group '" + groupId + "' does not exist");
        }
        return group;
    }

    private List<OffsetView> committed(String groupId) {
        Admin admin = clients.admin();
        Map<TopicPartition, OffsetAndMetadata> offsets =
                await(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata());
        List<TopicPartition> partitions = new ArrayList<>();
        offsets.forEach((tp, committed) -> {
            if (committed != null) {
                partitions.add(tp);
            }
        });
        Map<TopicPartition, ListOffsetsResultInfo> ends = partitions.isEmpty()
                ? Map.of()
                : await(admin.listOffsets(latest(partitions)).all());
        List<OffsetView> views = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata committed = offsets.get(tp);
            long end = ends.get(tp).offset();
            views.add(new OffsetView(
                    tp.topic(),
                    tp.partition(),
                    committed.offset(),
                    end,
                    Math.max(0, end - committed.offset()),
                    committed.metadata()));
        }
        views.sort(Comparator.comparing(OffsetView::topic).thenComparingInt(OffsetView::partition));
        return views;
    }

    private List<TopicPartition> partitions(ResetRequest request) {
        TopicDescription topic = await(
                        clients.admin().describeTopics(List.of(request.topic())).allTopicNames())
                .get(request.topic());
        int count = topic.partitions().size();
        List<TopicPartition> partitions = new ArrayList<>();
        if (request.partitions() == null || request.partitions().isEmpty()) {
            for (int p = 0; p < count; p++) {
                partitions.add(new TopicPartition(request.topic(), p));
            }
            return partitions;
        }
        for (int p : request.partitions()) {
            if (p < 0 || p >= count) {
                throw new UnknownTopicOrPartitionException(
                        "Partition " + p + " of topic '" + request.topic() + "' does not exist (it has " + count + ")");
            }
            partitions.add(new TopicPartition(request.topic(), p));
        }
        return partitions;
    }

    private static OffsetSpec spec(ResetRequest request) {
        switch (request.to()) {
            case "earliest":
                return OffsetSpec.earliest();
            case "latest":
                return OffsetSpec.latest();
            case "timestamp":
                if (request.timestamp() == null) {
                    throw ProblemMapper.badRequest("to=timestamp needs timestamp (ms since the epoch)");
                }
                return OffsetSpec.forTimestamp(request.timestamp());
            default:
                throw ProblemMapper.badRequest(
                        "to must be earliest, latest, timestamp or offset, got '" + request.to() + "'");
        }
    }

    private static Map<TopicPartition, OffsetSpec> latest(List<TopicPartition> partitions) {
        Map<TopicPartition, OffsetSpec> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, OffsetSpec.latest()));
        return query;
    }
}
