package dev.skein.connector.impl;

import dev.skein.connector.SkeinIncomingBatchMetadata;
import dev.skein.connector.SkeinIncomingMetadata;
import dev.skein.connector.commit.CommitStrategy;
import dev.skein.connector.commit.PartitionProgress;
import dev.skein.connector.fault.FailureStrategy;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code KafkaConsumer} and the thread that owns it. The consumer is touched by {@link #run()} only; other
 * threads talk to it through the completion queue (acks/nacks) and {@link #stop()} (which uses the consumer's one
 * thread-safe method, {@code wakeup}).
 *
 * <p>Each iteration: apply completions to the per-partition {@link PartitionProgress}, commit if the
 * {@link CommitStrategy} says so, pause or resume partitions, poll, hand records to the {@link RecordDelivery}.
 * Partitions are paused while the unacknowledged records reach {@link IncomingSettings#capacity()} or (with
 * {@code pause-if-no-requests}) while polled records wait for downstream demand, and while a delayed-retry record is
 * not yet due. Revocation commits the acknowledged position of the revoked partitions before they move; stop waits
 * for in-flight records (graceful shutdown), commits and closes the consumer.
 */
final class ConsumerLoop implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
    private static final long PAUSED_POLL_MS = 50;
    private static final long HEALTH_PERIOD_MS = 250;
    private static final int MAX_INVALID_TOPIC_RETRIES = 10;

    private final IncomingSettings settings;
    private final Consumer<byte[], byte[]> consumer;
    private final Deserializer<?> keyDeserializer;
    private final Deserializer<?> valueDeserializer;
    private final CommitStrategy commitStrategy;
    private final FailureStrategy failureStrategy;
    private final RecordDelivery delivery;
    private final ChannelHealth health;
    private final Clock clock;

    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Map<TopicPartition, Long> heldUntil = new HashMap<>();
    private long lastHealthCheckMs = -1;
    private int invalidTopicRetries;
    private Throwable failure;

    ConsumerLoop(
            IncomingSettings settings,
            Consumer<byte[], byte[]> consumer,
            Deserializer<?> keyDeserializer,
            Deserializer<?> valueDeserializer,
            CommitStrategy commitStrategy,
            FailureStrategy failureStrategy,
            RecordDelivery delivery,
            ChannelHealth health,
            Clock clock) {
        this.settings = settings;
        this.consumer = consumer;
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
        this.commitStrategy = commitStrategy;
        this.failureStrategy = failureStrategy;
        this.delivery = delivery;
        this.health = health;
        this.clock = clock;
    }

    private record Completion(TopicPartition partition, long offset, Throwable failure) {}

    /** Asks the loop to finish: graceful drain, final commit, close. Returns immediately; thread-safe. */
    void stop() {
        if (stopRequested.compareAndSet(false, true)) {
            consumer.wakeup();
        }
    }

    @Override
    public void run() {
        try {
            subscribe();
            while (!stopRequested.get()) {
                iterate();
            }
            finish();
        } catch (RuntimeException e) {
            log.error("Channel {}: consumer died", settings.channel(), e);
            failure = e;
            health.failed(e);
            delivery.fail(e);
        } finally {
            closeClients();
        }
    }

    /** First step of {@link #run()}: subscribes with the committing rebalance listener. */
    void subscribe() {
        RebalanceCommitter listener = new RebalanceCommitter();
        if (settings.pattern() != null) {
            consumer.subscribe(settings.pattern(), listener);
        } else {
            List<String> topics = new ArrayList<>(settings.topics());
            failureStrategy.extraTopics().forEach(topic -> {
                if (!topics.contains(topic)) {
                    topics.add(topic);
                }
            });
            consumer.subscribe(topics, listener);
        }
    }

    /** One iteration of {@link #run()}; package-private so tests can drive the loop step by step. */
    void iterate() {
        long now = clock.millis();
        applyCompletions();
        if (failure != null) {
            stopRequested.set(true);
            return;
        }
        commitIfDue(now);
        boolean paused = adjustPause(now);
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(paused ? PAUSED_POLL_MS : settings.pollTimeoutMs()));
        } catch (WakeupException e) {
            return;
        } catch (InvalidTopicException e) {
            // Skein (up to this version) answers INVALID_TOPIC_EXCEPTION when two clients auto-create the same topic
            // at once; a legal name is retried a few times, anything else kills the consumer.
            if (++invalidTopicRetries > MAX_INVALID_TOPIC_RETRIES || !legalNames()) {
                throw e;
            }
            log.warn("Channel {}: broker reported {}; retrying", settings.channel(), e.getMessage());
            return;
        }
        invalidTopicRetries = 0;
        checkHealth(clock.millis());
        handOver(records, clock.millis());
    }

    /** After the last iteration: graceful drain (unless the channel failed), then the final commit. */
    void finish() {
        if (failure == null) {
            drainInFlight();
        }
        commitSync(progress.keySet());
    }

    /** Last step of {@link #run()}, whatever happened before. */
    void closeClients() {
        health.connected(false);
        consumer.close(Duration.ofSeconds(5));
        keyDeserializer.close();
        valueDeserializer.close();
    }

    private boolean legalNames() {
        try {
            settings.topics().forEach(TopicNames::validate);
            return settings.pattern() == null;
        } catch (InvalidTopicException e) {
            return false;
        }
    }

    private void applyCompletions() {
        Completion completion;
        while ((completion = completions.poll()) != null) {
            if (completion.failure != null) {
                if (failure == null) {
                    failure = completion.failure;
                    log.error("Channel {}: stopping: {}", settings.channel(), completion.failure.getMessage());
                    health.failed(completion.failure);
                    delivery.fail(completion.failure);
                }
                continue;
            }
            PartitionProgress partition = progress.get(completion.partition);
            if (partition != null) {
                partition.completed(completion.offset);
            }
        }
    }

    private void commitIfDue(long now) {
        if (commitStrategy.due(now) && progress.values().stream().anyMatch(PartitionProgress::hasUncommitted)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(progress.keySet());
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    log.warn(
                            "Channel {}: commit of {} failed, retrying later: {}",
                            settings.channel(),
                            offsets,
                            error.toString());
                    committed.forEach((tp, offset) -> {
                        PartitionProgress partition = progress.get(tp);
                        if (partition != null) {
                            partition.commitFailed(offset.offset());
                        }
                    });
                }
            });
            commitStrategy.committed(now);
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> uncommitted(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            PartitionProgress partition = progress.get(tp);
            if (partition != null && partition.hasUncommitted()) {
                offsets.put(tp, new OffsetAndMetadata(partition.committable()));
                partition.markCommitted(partition.committable());
            }
        }
        return offsets;
    }

    private void commitSync(Collection<TopicPartition> partitions) {
        if (!commitStrategy.commitsOnRevokeAndShutdown()) {
            return;
        }
        applyCompletions();
        Map<TopicPartition, OffsetAndMetadata> offsets = uncommitted(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
        } catch (WakeupException e) {
            consumer.commitSync(offsets, Duration.ofSeconds(10));
        } catch (KafkaException e) {
            // The records are redelivered to the next owner: at-least-once still holds, so stopping is no help.
            log.warn(
                    "Channel {}: could not commit {} before giving them up: {}",
                    settings.channel(),
                    offsets,
                    e.toString());
        }
    }

    /** Pauses/resumes partitions for back-pressure and delayed retries; returns whether anything is paused. */
    private boolean adjustPause(long now) {
        Set<TopicPartition> assignment = consumer.assignment();
        boolean backPressure = outstanding.get() >= settings.capacity()
                || (settings.pauseIfNoRequests() && delivery.undelivered() > 0 && delivery.demand() == 0);
        heldUntil.values().removeIf(due -> due <= now);
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicPartition tp : assignment) {
            if (backPressure || heldUntil.containsKey(tp)) {
                wanted.add(tp);
            }
        }
        Set<TopicPartition> current = consumer.paused();
        Set<TopicPartition> toPause = new HashSet<>(wanted);
        toPause.removeAll(current);
        Set<TopicPartition> toResume = new HashSet<>(current);
        toResume.removeAll(wanted);
        if (!toPause.isEmpty()) {
            consumer.pause(toPause);
        }
        if (!toResume.isEmpty()) {
            consumer.resume(toResume);
        }
        return !wanted.isEmpty();
    }

    private void checkHealth(long now) {
        if (lastHealthCheckMs >= 0 && now - lastHealthCheckMs < HEALTH_PERIOD_MS) {
            return;
        }
        lastHealthCheckMs = now;
        health.connected(connectionCount() > 0);
        long maxAge = commitStrategy.unprocessedRecordMaxAgeMs();
        if (maxAge > 0) {
            long oldest = progress.values().stream()
                    .mapToLong(PartitionProgress::oldestOutstandingSince)
                    .filter(since -> since >= 0)
                    .min()
                    .orElse(-1);
            health.stale(
                    oldest >= 0 && now - oldest > maxAge
                            ? "a record has waited " + (now - oldest) + " ms for acknowledgement (limit " + maxAge + ")"
                            : null);
        }
    }

    private double connectionCount() {
        for (Map.Entry<MetricName, ? extends Metric> entry : consumer.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if (name.name().equals("connection-count") && name.group().equals("consumer-metrics")) {
                Object value = entry.getValue().metricValue();
                return value instanceof Number number ? number.doubleValue() : 0;
            }
        }
        return 0;
    }

    private void handOver(ConsumerRecords<byte[], byte[]> records, long now) {
        if (records.isEmpty()) {
            return;
        }
        log.debug("Channel {}: polled {} records", settings.channel(), records.count());
        List<ConsumerRecord<byte[], byte[]>> accepted = new ArrayList<>(records.count());
        for (TopicPartition tp : records.partitions()) {
            long delay = failureStrategy.delayOf(tp.topic());
            PartitionProgress partition = progress.computeIfAbsent(tp, ignored -> new PartitionProgress());
            for (ConsumerRecord<byte[], byte[]> record : records.records(tp)) {
                if (delay > 0 && record.timestamp() + delay > now) {
                    consumer.seek(tp, record.offset());
                    heldUntil.put(tp, record.timestamp() + delay);
                    break;
                }
                partition.received(record.offset(), now);
                outstanding.incrementAndGet();
                accepted.add(record);
            }
        }
        if (settings.batch()) {
            emitBatch(accepted);
        } else {
            accepted.forEach(this::emit);
        }
    }

    private void emit(ConsumerRecord<byte[], byte[]> record) {
        Object orderingKey = record.key() == null ? null : ByteBuffer.wrap(record.key());
        Object key;
        Object value;
        try {
            key = keyDeserializer.deserialize(record.topic(), record.headers(), record.key());
            value = valueDeserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.warn(
                    "Channel {}: cannot deserialize {}-{}@{}: {}",
                    settings.channel(),
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    e.toString());
            nack(List.of(record), e, null);
            return;
        }
        AtomicBoolean finished = new AtomicBoolean();
        Message<?> message = Message.of(
                value,
                Metadata.of(metadata(record, key)),
                () -> finished.compareAndSet(false, true) ? ack(List.of(record), orderingKey) : done(),
                cause -> finished.compareAndSet(false, true) ? nack(List.of(record), cause, orderingKey) : done());
        delivery.offer(message, orderingKey);
    }

    private void emitBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        if (records.isEmpty()) {
            return;
        }
        List<Object> values = new ArrayList<>(records.size());
        List<SkeinIncomingMetadata> metadata = new ArrayList<>(records.size());
        List<ConsumerRecord<byte[], byte[]>> members = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                Object key = keyDeserializer.deserialize(record.topic(), record.headers(), record.key());
                values.add(valueDeserializer.deserialize(record.topic(), record.headers(), record.value()));
                metadata.add(metadata(record, key));
                members.add(record);
            } catch (RuntimeException e) {
                nack(List.of(record), e, null);
            }
        }
        if (members.isEmpty()) {
            return;
        }
        AtomicBoolean finished = new AtomicBoolean();
        Message<?> message = Message.of(
                values,
                Metadata.of(metadata.get(metadata.size() - 1), new SkeinIncomingBatchMetadata(metadata)),
                () -> finished.compareAndSet(false, true) ? ack(members, null) : done(),
                cause -> finished.compareAndSet(false, true) ? nack(members, cause, null) : done());
        delivery.offer(message, null);
    }

    private static SkeinIncomingMetadata metadata(ConsumerRecord<byte[], byte[]> record, Object key) {
        return new SkeinIncomingMetadata(
                record.topic(), record.partition(), record.offset(), key, record.timestamp(), record.headers());
    }

    private CompletionStage<Void> ack(List<ConsumerRecord<byte[], byte[]>> records, Object orderingKey) {
        records.forEach(record -> complete(record, null));
        delivery.finished(orderingKey);
        return done();
    }

    private CompletionStage<Void> nack(
            List<ConsumerRecord<byte[], byte[]>> records, Throwable cause, Object orderingKey) {
        List<CompletableFuture<Void>> handled = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            CompletionStage<Void> outcome = failureStrategy.handle(record, cause);
            handled.add(outcome.whenComplete((ignored, error) -> complete(record, error))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(handled.toArray(CompletableFuture[]::new))
                .whenComplete((ignored, error) -> delivery.finished(orderingKey));
    }

    private void complete(ConsumerRecord<byte[], byte[]> record, Throwable error) {
        completions.add(new Completion(new TopicPartition(record.topic(), record.partition()), record.offset(), error));
        outstanding.decrementAndGet();
    }

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    /** Graceful shutdown: keep the group membership alive while emitted records finish, within the timeout. */
    private void drainInFlight() {
        if (!settings.gracefulShutdown()) {
            return;
        }
        long deadline = clock.millis() + settings.gracefulShutdownTimeoutMs();
        consumer.pause(consumer.assignment());
        while (outstanding.get() - delivery.undelivered() > 0 && clock.millis() < deadline) {
            try {
                consumer.poll(Duration.ofMillis(PAUSED_POLL_MS));
            } catch (WakeupException e) {
                // the stop() that brought us here; keep draining until the deadline
            }
            applyCompletions();
        }
    }

    /** Commits the acknowledged position of partitions before the group moves them elsewhere. */
    private final class RebalanceCommitter implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            commitSync(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> progress.putIfAbsent(tp, new PartitionProgress()));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> {
                progress.remove(tp);
                heldUntil.remove(tp);
            });
        }
    }
}
