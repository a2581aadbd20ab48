package dev.skein.broker.cluster;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every znode path Skein reads or writes, in the classic Kafka ZooKeeper layout so that Kafka tooling and Skein agree:
 *
 * <pre>
 * /cluster/id                                   persistent, cluster id
 * /brokers/ids/&lt;id&gt;                             ephemeral, one per live broker
 * /brokers/topics/&lt;topic&gt;                       persistent, replica assignment and topic id
 * /brokers/topics/&lt;topic&gt;/partitions/&lt;p&gt;/state  persistent, leader, leader epoch, ISR
 * /config/topics/&lt;topic&gt;                        persistent, topic config overrides
 * /admin/delete_topics/&lt;topic&gt;                  persistent, pending deletions (written by Kafka tools)
 * /admin/controlled_shutdown/&lt;id&gt;              ephemeral, a broker asking the controller to move its leadership away
 * /admin/preferred_replica_election             persistent, partitions to move back to their preferred leader
 * /admin/reassign_partitions                    persistent, target replica lists of ongoing reassignments
 * /controller                                   ephemeral, {"brokerid": id} of the active controller
 * /controller_epoch                             persistent, the controller epoch as decimal text
 * </pre>
 *
 * <p>Pure functions, no state; the payloads live in {@link ZkJson}.
 */
final class ZkPaths {
    static final String CLUSTER_ID = "/cluster/id";
    static final String BROKERS = "/brokers";
    static final String BROKER_IDS = "/brokers/ids";
    static final String BROKER_TOPICS = "/brokers/topics";
    static final String CONFIG_TOPICS = "/config/topics";
    static final String DELETE_TOPICS = "/admin/delete_topics";
    static final String ADMIN = "/admin";
    static final String CONTROLLED_SHUTDOWN = "/admin/controlled_shutdown";
    static final String PREFERRED_REPLICA_ELECTION = "/admin/preferred_replica_election";
    static final String REASSIGN_PARTITIONS = "/admin/reassign_partitions";
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";

    /** Persistent parents created on connect, as a Kafka broker does. */
    static final List<String> PERSISTENT_ROOTS =
            List.of(BROKER_IDS, BROKER_TOPICS, CONFIG_TOPICS, DELETE_TOPICS, CONTROLLED_SHUTDOWN);

    private ZkPaths() {}

    static String brokerId(int id) {
        return BROKER_IDS + "/" + id;
    }

    static String topic(String topic) {
        return BROKER_TOPICS + "/" + topic;
    }

    static String partitions(String topic) {
        return topic(topic) + "/partitions";
    }

    static String partition(String topic, int partition) {
        return partitions(topic) + "/" + partition;
    }

    static String partitionState(String topic, int partition) {
        return partition(topic, partition) + "/state";
    }

    static String controlledShutdown(int brokerId) {
        return CONTROLLED_SHUTDOWN + "/" + brokerId;
    }

    static String topicConfig(String topic) {
        return CONFIG_TOPICS + "/" + topic;
    }

    static String topicDeletion(String topic) {
        return DELETE_TOPICS + "/" + topic;
    }

    /** The topic a path under {@code /brokers/topics/<t>} or {@code /config/topics/<t>} belongs to. */
    static Optional<String> topicOf(String path) {
        String rest;
        if (path.startsWith(BROKER_TOPICS + "/")) {
            rest = path.substring(BROKER_TOPICS.length() + 1);
        } else if (path.startsWith(CONFIG_TOPICS + "/")) {
            rest = path.substring(CONFIG_TOPICS.length() + 1);
        } else {
            return Optional.empty();
        }
        int slash = rest.indexOf('/');
        return Optional.of(slash < 0 ? rest : rest.substring(0, slash));
    }

    /** The broker id of a {@code /brokers/ids/<id>} path. */
    static OptionalInt brokerIdOf(String path) {
        if (!path.startsWith(BROKER_IDS + "/")) {
            return OptionalInt.empty();
        }
        String rest = path.substring(BROKER_IDS.length() + 1);
        try {
            return OptionalInt.of(Integer.parseInt(rest));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
