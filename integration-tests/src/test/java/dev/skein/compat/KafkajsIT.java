package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.testkit.SkeinTestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kafkajs 2.2.4 (pure JavaScript client, old non-flexible protocol versions) against Skein: runs
 * {@code src/test/js/scenario.js} under node once and checks what each of its scenarios observed — admin, producer
 * acks/gzip, a two-member consumer group rebalancing, eachBatch, seek and commitOffsets, and transactions
 * ({@code producer.transaction()} with {@code sendOffsets}, commit and abort).
 */
class KafkajsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private static SkeinTestBroker skein;
    private static JsonNode result;

    @BeforeAll
    static void runScenarios() throws Exception {
        Path js = Path.of(System.getProperty("skein.compat.js.dir", "src/test/js"));
        Assumptions.assumeTrue(Kcat.onPath("node"), "node is not on PATH");
        Assumptions.assumeTrue(
                Files.isDirectory(js.resolve("node_modules/kafkajs")),
                "kafkajs not installed: run `npm ci` in " + js + " (.ci/run does)");
        skein = SkeinTestBroker.start(dir.resolve("broker"));
        try (ExternalProcess node = ExternalProcess.start(
                dir, "kafkajs", List.of("node", js.resolve("scenario.js").toString(), skein.bootstrap()))) {
            ExternalProcess.ProcessResult run = node.awaitExit(Duration.ofMinutes(4));
            // timings and whatever kafkajs warned about, for the build log
            run.stderr().lines().forEach(line -> System.out.println("kafkajs: " + line));
            assertThat(run.exitCode()).as(run.stderr()).isZero();
            result = JSON.readTree(run.stdout());
        }
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (skein != null) {
            skein.close();
        }
    }

    @Test
    void adminCreatesDescribesSetsFetchesOffsetsAndDeletes() {
        JsonNode admin = scenario("admin");
        assertThat(admin.path("created").asBoolean()).isTrue();
        assertThat(admin.path("createdAgain").asBoolean())
                .as("second create of an existing topic")
                .isFalse();
        assertThat(admin.path("partitions")).hasSize(3);
        for (JsonNode partition : admin.path("partitions")) {
            assertThat(partition.path("leader").asInt()).isZero();
            assertThat(partition.path("replicas").toString()).isEqualTo("[0]");
            assertThat(partition.path("isr").toString()).isEqualTo("[0]");
        }
        assertThat(admin.path("topicOffsets").toString())
                .isEqualTo(
                        "[{\"partition\":0,\"high\":\"2\",\"low\":\"0\"},{\"partition\":1,\"high\":\"2\",\"low\":\"0\"},"
                                + "{\"partition\":2,\"high\":\"1\",\"low\":\"0\"}]");
        assertThat(admin.path("groupOffsets").toString())
                .isEqualTo("[{\"partition\":0,\"offset\":\"1\"},{\"partition\":1,\"offset\":\"2\"},"
                        + "{\"partition\":2,\"offset\":\"-1\"}]");
        assertThat(admin.path("groupListed").asBoolean()).isTrue();
        assertThat(admin.path("deleted").asBoolean()).isTrue();
    }

    @Test
    void adminDescribesClusterAndConfigsAltersConfigsAddsPartitionsAndManagesGroups() {
        JsonNode more = scenario("adminMore");
        System.out.println("kafkajs adminMore: " + more);
        assertThat(call(more, "describeCluster").toString())
                .isEqualTo("{\"brokers\":1,\"controller\":0,\"clusterIdSet\":true}");
        assertThat(call(more, "describeConfigs").toString())
                .isEqualTo("[{\"name\":\"cleanup.policy\",\"value\":\"delete\"},"
                        + "{\"name\":\"retention.ms\",\"value\":\"604800000\"}]");
        assertThat(call(more, "alterConfigs").asText()).isEqualTo("7200000");
        assertThat(call(more, "createPartitions").asInt()).isEqualTo(3);
        assertThat(call(more, "fetchTopicOffsetsByTimestamp").asText()).isEqualTo("5");
        assertThat(call(more, "resetOffsets").asText()).isEqualTo("0");
        assertThat(call(more, "describeGroups").toString()).isEqualTo("{\"state\":\"Empty\",\"members\":0}");
        assertThat(call(more, "deleteGroups").toString()).isEqualTo("{\"errorCode\":0,\"stillListed\":false}");
        // DeleteRecords before offset 5 of partition 0: the low watermark kafkajs reads back is 5
        assertThat(call(more, "deleteTopicRecords").asText()).isEqualTo("5");
    }

    private static JsonNode call(JsonNode scenario, String name) {
        JsonNode outcome = scenario.path(name);
        assertThat(outcome.path("ok").asBoolean()).as("%s: %s", name, outcome).isTrue();
        return outcome.path("value");
    }

    @Test
    void producerWithAcksAllAndOneAndGzipIsReadBackInOrder() {
        JsonNode producer = scenario("producer");
        long expectedBase = 0;
        for (String send : List.of("acksAll", "acksOne", "acksAllGzip", "acksOneGzip")) {
            JsonNode metadata = producer.path("sends").path(send).get(0);
            assertThat(metadata.path("errorCode").asInt()).as(send).isZero();
            assertThat(metadata.path("baseOffset").asLong()).as(send).isEqualTo(expectedBase);
            expectedBase += 50;
        }
        List<String> expected = new ArrayList<>();
        for (String send : List.of("acksAll", "acksOne", "acksAllGzip", "acksOneGzip")) {
            IntStream.range(0, 50).forEach(i -> expected.add(send + "-" + i));
        }
        assertThat(strings(producer.path("values"))).containsExactlyElementsOf(expected);
    }

    @Test
    void twoGroupMembersSplitPartitionsAndTheSurvivorTakesOverOnLeave() {
        JsonNode group = scenario("group");
        Set<Integer> a = ints(group.path("split").path("a"));
        Set<Integer> b = ints(group.path("split").path("b"));
        assertThat(a).isNotEmpty().doesNotContainAnyElementsOf(b);
        assertThat(b).isNotEmpty();
        Set<Integer> all = new HashSet<>(a);
        all.addAll(b);
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3);

        JsonNode round1 = group.path("round1");
        assertThat(round1.path("byA").size() + round1.path("byB").size())
                .as("each round-1 record consumed once")
                .isEqualTo(round1.path("produced").asInt());
        for (JsonNode record : round1.path("byA")) {
            assertThat(a).contains(record.path("partition").asInt());
        }
        for (JsonNode record : round1.path("byB")) {
            assertThat(b).contains(record.path("partition").asInt());
        }

        assertThat(ints(group.path("afterLeave"))).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(group.path("round2").path("byA").asInt()).isEqualTo(100);
        assertThat(group.path("round2").path("byB").asInt()).isZero();
        assertThat(group.path("stateAfterAllLeft").asText()).isEqualTo("Empty");
    }

    @Test
    void eachBatchSeekAndCommitOffsets() {
        JsonNode scenario = scenario("batchSeekCommit");
        assertThat(strings(scenario.path("values")))
                .containsExactlyElementsOf(
                        IntStream.range(0, 500).mapToObj(i -> "b" + i).toList());
        long covered = 0;
        for (JsonNode batch : scenario.path("batches")) {
            covered += batch.path("size").asLong();
        }
        assertThat(covered).isEqualTo(500);
        assertThat(scenario.path("committedAfterBatch").asText()).isEqualTo("500");

        JsonNode sought = scenario.path("sought");
        assertThat(sought.get(0).path("offset").asText())
                .as("first record after seek")
                .isEqualTo("490");
        assertThat(sought.get(0).path("value").asText()).isEqualTo("b490");
        assertThat(sought).hasSize(10);
        assertThat(scenario.path("committedAfterCommitOffsets").asText()).isEqualTo("495");
    }

    @Test
    void transactionsCommitAbortAndSendOffsets() {
        JsonNode txn = scenario("transactions");
        List<String> committed = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> committed.add("c" + i));
        assertThat(strings(txn.path("committed")))
                .as("read_committed: both committed transactions, nothing of the aborted one")
                .containsExactlyElementsOf(committed);
        assertThat(strings(txn.path("uncommitted")))
                .as("readUncommitted: the aborted transaction's records too")
                .containsExactly(
                        "c0", "c1", "c2", "c3", "c4", "a0", "a1", "a2", "a3", "a4", "c5", "c6", "c7", "c8", "c9");
        assertThat(txn.path("groupOffset").asText())
                .as("the offset sent in the last committed transaction")
                .isEqualTo("10");
    }

    private static JsonNode scenario(String name) {
        JsonNode scenario = result.path(name);
        assertThat(scenario.has("error"))
                .as("%s failed: %s", name, scenario.path("stack").asText())
                .isFalse();
        return scenario;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }

    private static Set<Integer> ints(JsonNode array) {
        Set<Integer> values = new HashSet<>();
        array.forEach(node -> values.add(node.asInt()));
        return values;
    }
}
