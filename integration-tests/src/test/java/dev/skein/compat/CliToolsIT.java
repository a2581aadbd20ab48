package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.testkit.SkeinTestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's command-line tools (kafka-tools 4.4.0: kafka-topics, kafka-console-producer/-consumer,
 * kafka-consumer-groups, kafka-configs, kafka-get-offsets), each in its own JVM, against Skein. Every change a tool
 * reports is checked through the AdminClient, and every listing it prints is checked against what was created.
 */
class CliToolsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final SkeinTestBroker skein = SkeinTestBroker.extension();

    private static Admin admin;

    @BeforeAll
    static void openAdmin() throws Exception {
        admin = skein.admin();
    }

    @Test
    void topicCommandCreatesDescribesAltersListsAndDeletes() throws Exception {
        String topic = "cli-topic";
        tool(
                "topics-create",
                "org.apache.kafka.tools.TopicCommand",
                "--create",
                "--topic",
                topic,
                "--partitions",
                "3",
                "--replication-factor",
                "1",
                "--config",
                "retention.ms=3600000");
        assertThat(describe(topic).partitions()).hasSize(3);
        assertThat(topicConfig(topic).get("retention.ms").value()).isEqualTo("3600000");

        String described =
                tool("topics-describe", "org.apache.kafka.tools.TopicCommand", "--describe", "--topic", topic);
        assertThat(described)
                .contains("Topic: " + topic)
                .contains("PartitionCount: 3")
                .contains("ReplicationFactor: 1")
                .contains("retention.ms=3600000");
        for (int p = 0; p < 3; p++) {
            assertThat(described).containsPattern("Partition: " + p + "\\s+Leader: 0\\s+Replicas: 0\\s+Isr: 0");
        }

        tool("topics-alter", "org.apache.kafka.tools.TopicCommand", "--alter", "--topic", topic, "--partitions", "5");
        assertThat(describe(topic).partitions()).hasSize(5);

        String listed = tool("topics-list", "org.apache.kafka.tools.TopicCommand", "--list");
        assertThat(listed.lines()).contains(topic);

        tool("topics-delete", "org.apache.kafka.tools.TopicCommand", "--delete", "--topic", topic);
        Awaitility.await("topic deleted")
                .atMost(TIMEOUT)
                .until(() -> !admin.listTopics().names().get().contains(topic));
    }

    @Test
    void consoleProducerAndGroupConsumerRoundTripKeyedRecordsAndCommit() throws Exception {
        String topic = "cli-console";
        String group = "cli-console-group";
        skein.createTopic(topic, 2);
        List<String> lines =
                IntStream.range(0, 100).mapToObj(i -> "k" + i + ":v" + i).toList();
        Path input = dir.resolve("console.in");
        Files.write(input, lines, StandardCharsets.UTF_8);

        ExternalProcess.ProcessResult produced = KafkaTool.runWithInput(
                dir,
                "console-producer",
                TIMEOUT,
                input,
                "org.apache.kafka.tools.ConsoleProducer",
                "--bootstrap-server",
                skein.bootstrap(),
                "--topic",
                topic,
                "--property",
                "parse.key=true",
                "--property",
                "key.separator=:");
        assertThat(produced.exitCode()).as(produced.stderr()).isZero();

        String consumed = tool(
                "console-consumer",
                "org.apache.kafka.tools.consumer.ConsoleConsumer",
                "--topic",
                topic,
                "--group",
                group,
                "--from-beginning",
                "--max-messages",
                "100",
                "--timeout-ms",
                "30000",
                "--property",
                "print.key=true",
                "--property",
                "key.separator=:");
        assertThat(consumed.lines().filter(line -> line.startsWith("k"))).containsExactlyInAnyOrderElementsOf(lines);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        assertThat(committed.values().stream()
                        .mapToLong(OffsetAndMetadata::offset)
                        .sum())
                .isEqualTo(100);
    }

    @Test
    void consumerGroupCommandListsDescribesAndResetsOffsets() throws Exception {
        String topic = "cli-groups";
        String group = "cli-groups-group";
        skein.createTopic(topic, 2);
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i));
            }
            producer.flush();
        }
        admin.alterConsumerGroupOffsets(
                        group,
                        Map.of(
                                new TopicPartition(topic, 0), new OffsetAndMetadata(10),
                                new TopicPartition(topic, 1), new OffsetAndMetadata(4)))
                .all()
                .get();

        String listed = tool("groups-list", "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--list");
        assertThat(listed.lines()).contains(group);

        String described = tool(
                "groups-describe",
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--describe",
                "--group",
                group);
        // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
        assertThat(described).containsPattern(group + "\\s+" + topic + "\\s+0\\s+10\\s+10\\s+0");
        assertThat(described).containsPattern(group + "\\s+" + topic + "\\s+1\\s+4\\s+10\\s+6");

        String dryRun = tool(
                "groups-reset-dry",
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--reset-offsets",
                "--group",
                group,
                "--topic",
                topic,
                "--to-earliest",
                "--dry-run");
        assertThat(dryRun).containsPattern(group + "\\s+" + topic + "\\s+1\\s+0");
        assertThat(committed(group, topic)).containsEntry(1, 4L);

        tool(
                "groups-reset",
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--reset-offsets",
                "--group",
                group,
                "--topic",
                topic,
                "--to-earliest",
                "--execute");
        assertThat(committed(group, topic)).isEqualTo(Map.of(0, 0L, 1, 0L));

        tool(
                "groups-shift",
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--reset-offsets",
                "--group",
                group,
                "--topic",
                topic + ":1",
                "--to-offset",
                "7",
                "--execute");
        assertThat(committed(group, topic)).isEqualTo(Map.of(0, 0L, 1, 7L));

        tool(
                "groups-delete",
                "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
                "--delete",
                "--group",
                group);
        assertThat(admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get())
                .isEmpty();
    }

    @Test
    void configCommandAltersTopicConfigsAndExplainsStaticBrokerConfigs() throws Exception {
        String topic = "cli-configs";
        skein.createTopic(topic, 1);

        tool(
                "configs-add",
                "org.apache.kafka.tools.ConfigCommand",
                "--entity-type",
                "topics",
                "--entity-name",
                topic,
                "--alter",
                "--add-config",
                "retention.ms=7200000,cleanup.policy=compact");
        assertThat(topicConfig(topic).get("retention.ms").value()).isEqualTo("7200000");
        assertThat(topicConfig(topic).get("cleanup.policy").value()).isEqualTo("compact");

        String described = tool(
                "configs-describe",
                "org.apache.kafka.tools.ConfigCommand",
                "--entity-type",
                "topics",
                "--entity-name",
                topic,
                "--describe");
        assertThat(described).contains("retention.ms=7200000").contains("cleanup.policy=compact");

        tool(
                "configs-delete",
                "org.apache.kafka.tools.ConfigCommand",
                "--entity-type",
                "topics",
                "--entity-name",
                topic,
                "--alter",
                "--delete-config",
                "retention.ms");
        Config after = topicConfig(topic);
        assertThat(after.get("retention.ms").isDefault()).isTrue();
        assertThat(after.get("cleanup.policy").value()).isEqualTo("compact");

        ExternalProcess.ProcessResult broker = KafkaTool.run(
                dir,
                "configs-broker",
                TIMEOUT,
                "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server",
                skein.bootstrap(),
                "--entity-type",
                "brokers",
                "--entity-name",
                "0",
                "--alter",
                "--add-config",
                "log.retention.ms=1000");
        assertThat(broker.exitCode()).isNotZero();
        assertThat(broker.stdout() + broker.stderr())
                .contains("InvalidRequestException")
                .contains("broker configs are static");
    }

    @Test
    void getOffsetShellPrintsEarliestAndLatestOffsets() throws Exception {
        String topic = "cli-offsets";
        skein.createTopic(topic, 3);
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 5 * (p + 1); i++) {
                    producer.send(new ProducerRecord<>(topic, p, null, "v" + i));
                }
            }
            producer.flush();
        }

        String latest = tool("offsets-latest", "org.apache.kafka.tools.GetOffsetShell", "--topic", topic);
        assertThat(latest.lines().collect(Collectors.toSet()))
                .isEqualTo(Set.of(topic + ":0:5", topic + ":1:10", topic + ":2:15"));
        String earliest =
                tool("offsets-earliest", "org.apache.kafka.tools.GetOffsetShell", "--topic", topic, "--time", "-2");
        assertThat(earliest.lines().collect(Collectors.toSet()))
                .isEqualTo(Set.of(topic + ":0:0", topic + ":1:0", topic + ":2:0"));
    }

    @Test
    void logDirsCommandReportsTheDataDirectoryAndReplicaSizes() throws Exception {
        String topic = "cli-log-dirs";
        skein.createTopic(topic, 2);
        try (KafkaProducer<String, String> producer = skein.stringProducer(Map.of())) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, "x".repeat(100)));
            }
            producer.flush();
        }

        String out = tool("log-dirs", "org.apache.kafka.tools.LogDirsCommand", "--describe", "--topic-list", topic);

        String json = out.lines()
                .filter(line -> line.startsWith("{"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no JSON in:\n" + out));
        JsonNode logDir = new ObjectMapper().readTree(json).path("brokers").get(0);
        assertThat(logDir.path("broker").asInt()).isZero();
        JsonNode dirs = logDir.path("logDirs");
        assertThat(dirs).hasSize(1);
        assertThat(dirs.get(0).path("error").isNull()).isTrue();
        Map<String, Long> sizes = new TreeMap<>();
        dirs.get(0)
                .path("partitions")
                .forEach(p ->
                        sizes.put(p.path("partition").asText(), p.path("size").asLong()));
        assertThat(sizes).containsOnlyKeys(topic + "-0", topic + "-1");
        assertThat(sizes.get(topic + "-0")).isGreaterThan(20 * 100);
        assertThat(sizes.get(topic + "-1")).isZero();
    }

    /** Runs a tool with {@code --bootstrap-server} prepended, asserts exit code 0 and returns its stdout. */
    private static String tool(String name, String mainClass, String... args) throws Exception {
        String[] full = new String[args.length + 2];
        full[0] = "--bootstrap-server";
        full[1] = skein.bootstrap();
        System.arraycopy(args, 0, full, 2, args.length);
        ExternalProcess.ProcessResult result = KafkaTool.run(dir, name, TIMEOUT, mainClass, full);
        assertThat(result.exitCode())
                .as("%s %s%nstdout:%n%s%nstderr:%n%s", mainClass, List.of(args), result.stdout(), result.stderr())
                .isZero();
        return result.stdout();
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static Config topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }

    private static Map<Integer, Long> committed(String group, String topic) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic))
                .collect(Collectors.toMap(
                        e -> e.getKey().partition(), e -> e.getValue().offset()));
    }
}
