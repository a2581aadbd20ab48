package dev.skein.server.admin;

import static dev.skein.server.admin.KafkaClients.await;

import dev.skein.broker.Broker;
import dev.skein.broker.partition.Partition;
import dev.skein.server.BrokerLifecycle;
import dev.skein.server.admin.TopicViews.ConfigChanges;
import dev.skein.server.admin.TopicViews.NewTopicRequest;
import dev.skein.server.admin.TopicViews.PartitionCountRequest;
import dev.skein.server.admin.TopicViews.PartitionView;
import dev.skein.server.admin.TopicViews.TopicSummary;
import dev.skein.server.admin.TopicViews.TopicView;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

/**
 * {@code /api/v1/topics}: topic administration through the Kafka Admin client, so every check (name, partitions,
 * replication factor, config keys and values) is the broker's own and its message is what the caller sees.
 */
@Path("/api/v1/topics")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TopicResource {
    private final KafkaClients clients;
    private final BrokerLifecycle lifecycle;

    @Inject
    public TopicResource(KafkaClients clients, BrokerLifecycle lifecycle) {
        this.clients = clients;
        this.lifecycle = lifecycle;
    }

    /** Every topic, internal ones included, sorted by name. */
    @GET
    public List<TopicSummary> list() {
        Admin admin = clients.admin();
        Collection<String> names = await(
                admin.listTopics(new ListTopicsOptions().listInternal(true)).names());
        Map<String, TopicDescription> described =
                await(admin.describeTopics(names).allTopicNames());
        List<TopicSummary> topics = new ArrayList<>();
        for (TopicDescription topic : new TreeMap<>(described).values()) {
            int underReplicated = 0;
            for (TopicPartitionInfo p : topic.partitions()) {
                if (p.isr().size() < p.replicas().size()) {
                    underReplicated++;
                }
            }
            topics.add(new TopicSummary(
                    topic.name(),
                    topic.partitions().size(),
                    replicationFactor(topic),
                    underReplicated,
                    topic.isInternal()));
        }
        return topics;
    }

    /** Creates a topic; 201 with the described topic and its location. */
    @POST
    public Response create(NewTopicRequest request, @jakarta.ws.rs.core.Context UriInfo uri) {
        if (request == null) {
            throw ProblemMapper.badRequest("The request body is required: {\"name\": ..., \"partitions\": ...}");
        }
        String name = request.name() == null ? "" : request.name();
        NewTopic topic = new NewTopic(
                name,
                Optional.ofNullable(request.partitions()),
                Optional.ofNullable(request.replicationFactor()).map(TopicResource::toShort));
        if (request.configs() != null) {
            topic.configs(request.configs());
        }
        await(clients.admin().createTopics(List.of(topic)).all());
        return Response.created(uri.getAbsolutePathBuilder().path(name).build())
                .entity(describe(name))
                .build();
    }

    /** Partitions with leader, replicas, ISR, offsets and local size; topic id; config overrides. */
    @GET
    @Path("{name}")
    public TopicView describe(@PathParam("name") String name) {
        Admin admin = clients.admin();
        TopicDescription topic =
                await(admin.describeTopics(List.of(name)).allTopicNames()).get(name);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (TopicPartitionInfo p : topic.partitions()) {
            earliest.put(new TopicPartition(name, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> starts =
                await(admin.listOffsets(earliest).all());
        Map<TopicPartition, ListOffsetsResultInfo> ends =
                await(admin.listOffsets(latest).all());
        Optional<Broker> broker = lifecycle.broker();
        List<PartitionView> partitions = new ArrayList<>();
        for (TopicPartitionInfo p : topic.partitions()) {
            TopicPartition tp = new TopicPartition(name, p.partition());
            Long size = broker.flatMap(b -> b.partitions().get(tp))
                    .map(Partition::log)
                    .map(log -> log.sizeInBytes())
                    .orElse(null);
            partitions.add(new PartitionView(
                    p.partition(),
                    p.leader() == null ? -1 : p.leader().id(),
                    ids(p.replicas()),
                    ids(p.isr()),
                    starts.get(tp).offset(),
                    ends.get(tp).offset(),
                    size));
        }
        return new TopicView(
                name,
                topic.topicId().toString(),
                topic.isInternal(),
                replicationFactor(topic),
                partitions,
                overrides(name));
    }

    /** The config overrides set on the topic. */
    @GET
    @Path("{name}/configs")
    public Map<String, String> configs(@PathParam("name") String name) {
        return overrides(name);
    }

    /** Sets and deletes config overrides in one incremental change; returns the overrides afterwards. */
    @PATCH
    @Path("{name}/configs")
    public Map<String, String> alterConfigs(@PathParam("name") String name, ConfigChanges changes) {
        if (changes == null) {
            throw ProblemMapper.badRequest("The request body is required: {\"set\": {...}, \"delete\": [...]}");
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        if (changes.set() != null) {
            changes.set()
                    .forEach((key, value) ->
                            ops.add(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET)));
        }
        if (changes.delete() != null) {
            for (String key : changes.delete()) {
                ops.add(new AlterConfigOp(new ConfigEntry(key, null), AlterConfigOp.OpType.DELETE));
            }
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        await(clients.admin().incrementalAlterConfigs(Map.of(resource, ops)).all());
        return overrides(name);
    }

    /** Raises the partition count to {@code count}; returns the described topic. */
    @POST
    @Path("{name}/partitions")
    public TopicView addPartitions(@PathParam("name") String name, PartitionCountRequest request) {
        if (request == null || request.count() == null) {
            throw ProblemMapper.badRequest("The request body must give the new total: {\"count\": N}");
        }
        await(clients.admin()
                .createPartitions(Map.of(name, NewPartitions.increaseTo(request.count())))
                .all());
        return describe(name);
    }

    @DELETE
    @Path("{name}")
    public Response delete(@PathParam("name") String name) {
        await(clients.admin().deleteTopics(List.of(name)).all());
        return Response.noContent().build();
    }

    private Map<String, String> overrides(String name) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Config config =
                await(clients.admin().describeConfigs(List.of(resource)).all()).get(resource);
        Map<String, String> overrides = new TreeMap<>();
        for (ConfigEntry entry : config.entries()) {
            if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
                overrides.put(entry.name(), entry.value());
            }
        }
        return overrides;
    }

    private static int replicationFactor(TopicDescription topic) {
        return topic.partitions().isEmpty()
                ? 0
                : topic.partitions().get(0).replicas().size();
    }

    private static List<Integer> ids(List<Node> nodes) {
        List<Integer> ids = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            ids.add(node.id());
        }
        return ids;
    }

    private static short toShort(int replicationFactor) {
        if (replicationFactor > Short.MAX_VALUE || replicationFactor < Short.MIN_VALUE) {
            throw ProblemMapper.badRequest("replicationFactor " + replicationFactor + " is out of range");
        }
        return (short) replicationFactor;
    }
}
