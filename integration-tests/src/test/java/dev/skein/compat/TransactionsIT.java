package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.testkit.SkeinTestBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Java transactional API of kafka-clients 4.4 against one Skein broker: commit and abort seen by
 * {@code read_committed} and {@code read_uncommitted} consumers, a consume-transform-produce loop committing its input
 * offsets with {@code sendOffsetsToTransaction} (group metadata, KIP-447), fencing of a zombie producer sharing the
 * transactional id, and the coordinator aborting a transaction that outlived {@code transaction.timeout.ms}.
 */
class TransactionsIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The coordinator looks for transactions past their timeout every 500 ms (Kafka's default: 10 s). */
    @RegisterExtension
    static final SkeinTestBroker skein =
            SkeinTestBroker.extension(Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"));

    private static KafkaProducer<String, String> transactional(String id, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.putAll(extra);
        KafkaProducer<String, String> producer = skein.stringProducer(config);
        producer.initTransactions();
        return producer;
    }

    private static KafkaConsumer<String, String> reader(String isolation) {
        return skein.stringConsumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation));
    }

    /** Values read from the start of {@code topic} until {@code expected} arrived, then one more quiet poll. */
    private static List<String> readAll(String topic, int partitions, String isolation, int expected) {
        KafkaConsumer<String, String> consumer = reader(isolation);
        List<TopicPartition> tps = IntStream.range(0, partitions)
                .mapToObj(p -> new TopicPartition(topic, p))
                .toList();
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        List<String> values = new ArrayList<>();
        Awaitility.await(topic + " " + isolation).atMost(WAIT).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
            return values.size() >= expected;
        });
        consumer.poll(Duration.ofMillis(300)).forEach(r -> values.add(r.value()));
        consumer.close();
        return values;
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
    }

    @Test
    void committedRecordsAreReadOnceCommittedAndAbortedOnesOnlyReadUncommitted() throws Exception {
        skein.createTopic("txn-basic", 2);
        KafkaProducer<String, String> producer = transactional("basic", Map.of());

        producer.beginTransaction();
        values("open-", 10).forEach(v -> producer.send(new ProducerRecord<>("txn-basic", 0, null, v)));
        producer.flush();
        KafkaConsumer<String, String> committed = reader("read_committed");
        committed.assign(List.of(new TopicPartition("txn-basic", 0)));
        assertThat(committed.poll(Duration.ofMillis(500)))
                .as("nothing of an open transaction is visible to read_committed")
                .isEmpty();
        producer.commitTransaction();

        producer.beginTransaction();
        values("aborted-", 10).forEach(v -> producer.send(new ProducerRecord<>("txn-basic", v, v)));
        producer.flush();
        producer.abortTransaction();

        producer.beginTransaction();
        values("after-", 10).forEach(v -> producer.send(new ProducerRecord<>("txn-basic", 1, null, v)));
        producer.commitTransaction();

        List<String> expected = new ArrayList<>(values("open-", 10));
        expected.addAll(values("after-", 10));
        assertThat(readAll("txn-basic", 2, "read_committed", 20)).containsExactlyInAnyOrderElementsOf(expected);
        List<String> all = new ArrayList<>(expected);
        all.addAll(values("aborted-", 10));
        assertThat(readAll("txn-basic", 2, "read_uncommitted", 30)).containsExactlyInAnyOrderElementsOf(all);
    }

    /**
     * The Java client of kafka-clients 4.4 sees {@code transaction.version} 2 and uses KIP-890 part 2: no
     * AddPartitionsToTxn (the partition leader adds the partition), and EndTxn v5 bumps the epoch at every commit and
     * abort, which the coordinator's DescribeTransactions and the partition's DescribeProducers show.
     */
    @Test
    void javaProducerUsesTransactionVersionTwoAndItsEpochGrowsWithEveryTransaction() throws Exception {
        skein.createTopic("txn-tv2", 1);
        KafkaProducer<String, String> producer = transactional("tv2", Map.of());
        TopicPartition tp = new TopicPartition("txn-tv2", 0);
        try (var admin = skein.admin()) {
            var initial = admin.describeTransactions(List.of("tv2")).all().get().get("tv2");
            for (int i = 0; i < 3; i++) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("txn-tv2", 0, null, "v" + i)).get();
                if (i == 1) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
            var after = admin.describeTransactions(List.of("tv2")).all().get().get("tv2");
            assertThat(after.producerId()).isEqualTo(initial.producerId());
            assertThat(after.producerEpoch())
                    .as("one epoch bump per transaction end")
                    .isEqualTo(initial.producerEpoch() + 3);
            Awaitility.await("marker epoch").atMost(WAIT).untilAsserted(() -> assertThat(
                            admin.describeProducers(List.of(tp))
                                    .partitionResult(tp)
                                    .get()
                                    .activeProducers())
                    .singleElement()
                    .satisfies(state -> assertThat(state.producerEpoch()).isEqualTo(after.producerEpoch())));
        }
        producer.close();
        assertThat(readAll("txn-tv2", 1, "read_committed", 2)).containsExactly("v0", "v2");
    }

    @Test
    void consumeTransformProduceCommitsInputOffsetsWithTheOutputExactlyOnce() throws Exception {
        skein.createTopic("ctp-in", 3);
        skein.createTopic("ctp-out", 3);
        int inputs = 600;
        try (KafkaProducer<String, String> plain = skein.stringProducer(Map.of())) {
            for (int i = 0; i < inputs; i++) {
                plain.send(new ProducerRecord<>("ctp-in", "k" + i, "in-" + i));
            }
        }
        KafkaConsumer<String, String> consumer = skein.stringConsumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "ctp-group",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50));
        consumer.subscribe(List.of("ctp-in"));
        KafkaProducer<String, String> producer = transactional("ctp", Map.of());
        int transactions = 0;
        int aborted = 0;
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && sum(committed) < inputs) {
            ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
            if (records.isEmpty()) {
                continue;
            }
            producer.beginTransaction();
            for (ConsumerRecord<String, String> r : records) {
                producer.send(new ProducerRecord<>("ctp-out", r.key(), r.value().replace("in-", "out-")));
            }
            Map<TopicPartition, OffsetAndMetadata> next = nextOffsets(records);
            producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
            if (++transactions % 4 == 0) {
                // every fourth batch is abandoned: its output and its offsets must vanish, and it is processed again
                producer.abortTransaction();
                aborted++;
                rewind(consumer, committed, next.keySet());
            } else {
                producer.commitTransaction();
                Map<TopicPartition, OffsetAndMetadata> merged = new HashMap<>(committed);
                merged.putAll(next);
                committed = merged;
            }
        }
        assertThat(aborted).isPositive();
        assertThat(sum(committed)).isEqualTo(inputs);

        List<String> output = readAll("ctp-out", 3, "read_committed", inputs);
        assertThat(output).as("every input exactly once").containsExactlyInAnyOrderElementsOf(values("out-", inputs));
        try (KafkaConsumer<String, String> check = skein.stringConsumer(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "ctp-group",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            Set<TopicPartition> tps = Set.of(
                    new TopicPartition("ctp-in", 0), new TopicPartition("ctp-in", 1), new TopicPartition("ctp-in", 2));
            assertThat(check.committed(tps))
                    .as("the group's offsets are the transactions' ones")
                    .isEqualTo(committed);
        }
    }

    private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<String, String> records) {
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            List<ConsumerRecord<String, String>> partition = records.records(tp);
            next.put(
                    tp,
                    new OffsetAndMetadata(partition.get(partition.size() - 1).offset() + 1));
        }
        return next;
    }

    private static void rewind(
            KafkaConsumer<String, String> consumer,
            Map<TopicPartition, OffsetAndMetadata> committed,
            Set<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata last = committed.get(tp);
            consumer.seek(tp, last == null ? 0 : last.offset());
        }
    }

    private static long sum(Map<TopicPartition, OffsetAndMetadata> offsets) {
        return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    }

    @Test
    void aSecondProducerWithTheSameTransactionalIdFencesTheFirstAndAbortsItsOpenTransaction() throws Exception {
        skein.createTopic("txn-zombie", 1);
        KafkaProducer<String, String> zombie = transactional("shared-id", Map.of());
        zombie.beginTransaction();
        values("zombie-", 5).forEach(v -> zombie.send(new ProducerRecord<>("txn-zombie", v)));
        zombie.flush();

        KafkaProducer<String, String> successor = transactional("shared-id", Map.of());
        successor.beginTransaction();
        values("successor-", 5).forEach(v -> successor.send(new ProducerRecord<>("txn-zombie", v)));
        successor.commitTransaction();

        assertThatThrownBy(() -> {
                    zombie.send(new ProducerRecord<>("txn-zombie", "late")).get();
                    zombie.commitTransaction();
                })
                .as("the zombie is fenced")
                .satisfies(e -> assertThat(fencing(e)).as(e.toString()).isTrue());
        assertThat(readAll("txn-zombie", 1, "read_committed", 5)).containsExactlyElementsOf(values("successor-", 5));
    }

    /** Whether {@code e} (or a cause) says the producer was fenced by a newer epoch. */
    private static boolean fencing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theCoordinatorAbortsATransactionThatOutlivesItsTimeout() throws Exception {
        skein.createTopic("txn-timeout", 1);
        KafkaProducer<String, String> stuck =
                transactional("stuck", Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 2_000));
        stuck.beginTransaction();
        values("stuck-", 5).forEach(v -> stuck.send(new ProducerRecord<>("txn-timeout", v)));
        stuck.flush();

        // The open transaction holds back read_committed readers (the LSO) until the coordinator aborts it.
        KafkaConsumer<String, String> consumer = reader("read_committed");
        TopicPartition tp = new TopicPartition("txn-timeout", 0);
        consumer.assign(List.of(tp));
        assertThat(consumer.endOffsets(List.of(tp))).containsEntry(tp, 0L);
        Awaitility.await("the timed-out transaction is aborted")
                .atMost(WAIT)
                .until(() -> consumer.endOffsets(List.of(tp)).get(tp) > 0);

        // transaction.version 2: the coordinator's abort bumped the epoch, so the commit (EndTxn v5 at the old epoch)
        // meets CompleteAbort at the next epoch and is answered INVALID_TXN_STATE, as Kafka 4.4 answers it.
        assertThatThrownBy(stuck::commitTransaction).isInstanceOf(InvalidTxnStateException.class);
        try (KafkaProducer<String, String> plain = skein.stringProducer(Map.of())) {
            plain.send(new ProducerRecord<>("txn-timeout", "plain")).get();
        }
        assertThat(readAll("txn-timeout", 1, "read_committed", 1)).containsExactly("plain");
        assertThat(readAll("txn-timeout", 1, "read_uncommitted", 6))
                .containsExactlyInAnyOrderElementsOf(
                        List.of("stuck-0", "stuck-1", "stuck-2", "stuck-3", "stuck-4", "plain"));
    }
}
