package dev.skein.broker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The JSON payloads of the znodes in {@link ZkPaths}, byte for byte the format Kafka's ZooKeeper mode writes:
 *
 * <pre>
 * /cluster/id          {"version":"1","id":"&lt;cluster id&gt;"}
 * /brokers/ids/&lt;id&gt;    {"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},
 *                       "endpoints":["PLAINTEXT://host:port"],"jmx_port":-1,"port":port,"host":"host",
 *                       "version":5,"timestamp":"&lt;epoch ms&gt;","rack":"r"|null}
 * /brokers/topics/&lt;t&gt;  {"version":3,"partitions":{"0":[1,2]},"topic_id":"&lt;base64 uuid&gt;",
 *                       "adding_replicas":{},"removing_replicas":{}}
 * .../partitions/&lt;p&gt;/state  {"controller_epoch":0,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2]}
 * /config/topics/&lt;t&gt;   {"version":1,"config":{"retention.ms":"1000"}}
 * </pre>
 *
 * <p>Encoding is UTF-8. Parsers accept what older Kafka versions wrote (missing {@code topic_id}, brokers without a
 * {@code host} field) and throw {@link IllegalArgumentException} on anything else that is malformed. Stateless and
 * thread-safe.
 */
final class ZkJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PLAINTEXT = "PLAINTEXT";

    /** The assignment znode of a topic: its id (zero when a pre-2.8 tool wrote it) and replicas per partition. */
    record TopicAssignment(Uuid topicId, SortedMap<Integer, List<Integer>> replicas) {}

    /** The state znode of a partition. */
    record LeaderAndIsr(int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch) {}

    private ZkJson() {}

    static byte[] clusterId(String id) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", "1");
        node.put("id", id);
        return write(node);
    }

    static String parseClusterId(byte[] data) {
        return requiredText(read(data), "id");
    }

    /** {@code /controller}: {"version":1,"brokerid":1,"timestamp":"..."} as Kafka writes it. */
    static byte[] controller(int brokerId, long timestampMs) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", 1);
        node.put("brokerid", brokerId);
        node.put("timestamp", Long.toString(timestampMs));
        return write(node);
    }

    static int parseControllerId(byte[] data) {
        return requiredInt(read(data), "brokerid");
    }

    /** {@code /controller_epoch}: the epoch as plain decimal text, as Kafka writes it. */
    static byte[] controllerEpoch(int epoch) {
        return Integer.toString(epoch).getBytes(StandardCharsets.UTF_8);
    }

    static int parseControllerEpoch(byte[] data) {
        return parseInt(new String(data, StandardCharsets.UTF_8).trim());
    }

    /** {@code /admin/reassign_partitions}: {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[..]}]}. */
    static byte[] reassignments(Map<TopicPartition, List<Integer>> targets) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", 1);
        ArrayNode list = node.putArray("partitions");
        for (Map.Entry<TopicPartition, List<Integer>> e : targets.entrySet()) {
            ObjectNode partition = list.addObject()
                    .put("topic", e.getKey().topic())
                    .put("partition", e.getKey().partition());
            ArrayNode replicas = partition.putArray("replicas");
            e.getValue().forEach(replicas::add);
        }
        return write(node);
    }

    static Map<TopicPartition, List<Integer>> parseReassignments(byte[] data) {
        JsonNode partitions = read(data).get("partitions");
        if (partitions == null || !partitions.isArray()) {
            throw new IllegalArgumentException("reassignment has no \"partitions\" array");
        }
        Map<TopicPartition, List<Integer>> out = new LinkedHashMap<>();
        for (JsonNode partition : partitions) {
            out.put(
                    new TopicPartition(requiredText(partition, "topic"), requiredInt(partition, "partition")),
                    intList(partition.get("replicas"), "replicas"));
        }
        return out;
    }

    /** {@code /admin/preferred_replica_election}: {"version":1,"partitions":[{"topic":"t","partition":0}]}. */
    static byte[] preferredReplicaElection(Collection<TopicPartition> partitions) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", 1);
        ArrayNode list = node.putArray("partitions");
        for (TopicPartition tp : partitions) {
            list.addObject().put("topic", tp.topic()).put("partition", tp.partition());
        }
        return write(node);
    }

    static List<TopicPartition> parsePreferredReplicaElection(byte[] data) {
        JsonNode partitions = read(data).get("partitions");
        if (partitions == null || !partitions.isArray()) {
            throw new IllegalArgumentException("preferred replica election has no \"partitions\" array");
        }
        List<TopicPartition> out = new ArrayList<>();
        for (JsonNode partition : partitions) {
            out.add(new TopicPartition(requiredText(partition, "topic"), requiredInt(partition, "partition")));
        }
        return out;
    }

    static byte[] brokerRegistration(BrokerRegistration broker, long timestampMs) {
        ObjectNode node = MAPPER.createObjectNode();
        node.putObject("features");
        node.putObject("listener_security_protocol_map").put(PLAINTEXT, PLAINTEXT);
        node.putArray("endpoints").add(PLAINTEXT + "://" + broker.host() + ":" + broker.port());
        node.put("jmx_port", -1);
        node.put("port", broker.port());
        node.put("host", broker.host());
        node.put("version", 5);
        node.put("timestamp", Long.toString(timestampMs));
        node.put("rack", broker.rack());
        return write(node);
    }

    static BrokerRegistration parseBrokerRegistration(int id, byte[] data) {
        JsonNode node = read(data);
        String host = node.path("host").isTextual() ? node.get("host").asText() : null;
        int port = node.path("port").asInt(-1);
        if (host == null || port < 0) {
            // Brokers without a PLAINTEXT listener write "host":null; their address is only in the endpoints.
            String endpoint = node.path("endpoints").path(0).asText("");
            int scheme = endpoint.indexOf("://");
            int colon = endpoint.lastIndexOf(':');
            if (scheme < 0 || colon <= scheme) {
                throw new IllegalArgumentException("broker registration has neither host/port nor endpoints");
            }
            host = endpoint.substring(scheme + 3, colon);
            port = Integer.parseInt(endpoint.substring(colon + 1));
        }
        JsonNode rack = node.get("rack");
        return new BrokerRegistration(id, host, port, rack == null || rack.isNull() ? null : rack.asText());
    }

    static byte[] topicAssignment(Uuid topicId, Map<Integer, List<Integer>> replicas) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", 3);
        ObjectNode partitions = node.putObject("partitions");
        new TreeMap<>(replicas).forEach((partition, brokers) -> {
            ArrayNode array = partitions.putArray(Integer.toString(partition));
            brokers.forEach(array::add);
        });
        node.put("topic_id", topicId.toString());
        node.putObject("adding_replicas");
        node.putObject("removing_replicas");
        return write(node);
    }

    static TopicAssignment parseTopicAssignment(byte[] data) {
        JsonNode node = read(data);
        JsonNode partitions = node.get("partitions");
        if (partitions == null || !partitions.isObject()) {
            throw new IllegalArgumentException("topic assignment has no \"partitions\" object");
        }
        SortedMap<Integer, List<Integer>> replicas = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = partitions.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            replicas.put(parseInt(field.getKey()), intList(field.getValue(), "partitions." + field.getKey()));
        }
        JsonNode topicId = node.get("topic_id");
        Uuid id = topicId == null || topicId.isNull() ? Uuid.ZERO_UUID : Uuid.fromString(topicId.asText());
        return new TopicAssignment(id, replicas);
    }

    static byte[] partitionState(LeaderAndIsr state) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("controller_epoch", state.controllerEpoch());
        node.put("leader", state.leader());
        node.put("version", 1);
        node.put("leader_epoch", state.leaderEpoch());
        ArrayNode isr = node.putArray("isr");
        state.isr().forEach(isr::add);
        return write(node);
    }

    static LeaderAndIsr parsePartitionState(byte[] data) {
        JsonNode node = read(data);
        return new LeaderAndIsr(
                requiredInt(node, "leader"),
                requiredInt(node, "leader_epoch"),
                intList(node.get("isr"), "isr"),
                node.path("controller_epoch").asInt(0));
    }

    static byte[] topicConfig(Map<String, String> configs) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("version", 1);
        ObjectNode config = node.putObject("config");
        new TreeMap<>(configs).forEach(config::put);
        return write(node);
    }

    static Map<String, String> parseTopicConfig(byte[] data) {
        JsonNode config = read(data).get("config");
        if (config == null || !config.isObject()) {
            throw new IllegalArgumentException("topic config has no \"config\" object");
        }
        Map<String, String> configs = new LinkedHashMap<>();
        config.fields()
                .forEachRemaining(
                        field -> configs.put(field.getKey(), field.getValue().asText()));
        return configs;
    }

    private static byte[] write(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise " + node, e);
        }
    }

    private static JsonNode read(byte[] data) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("znode has no data");
        }
        try {
            JsonNode node = MAPPER.readTree(data);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("znode data is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException("znode data is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("missing string field \"" + field + "\"");
        }
        return value.asText();
    }

    private static int requiredInt(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new IllegalArgumentException("missing integer field \"" + field + "\"");
        }
        return value.asInt();
    }

    private static List<Integer> intList(JsonNode array, String field) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("field \"" + field + "\" is not an array");
        }
        List<Integer> values = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            if (!element.canConvertToInt()) {
                throw new IllegalArgumentException("field \"" + field + "\" holds a non-integer: " + element);
            }
            values.add(element.asInt());
        }
        return values;
    }

    private static int parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("partition key is not a number: " + value, e);
        }
    }
}
