package dev.skein.connector.impl;

import dev.skein.connector.commit.CommitStrategy;
import dev.skein.connector.fault.FailureStrategy;
import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A {@link ConsumerLoop} over a {@link MockConsumer}, driven one iteration at a time by the test thread (which plays
 * the polling thread), with the delivery thread replaced by a {@link QueuedExecutor} and time by {@link ManualTime}.
 * The downstream subscriber requests only what the test asks for and records what it receives.
 */
final class LoopHarness {
    static final String TOPIC = "orders";

    final RecordingConsumer consumer = new RecordingConsumer();
    final ManualTime time = new ManualTime();
    final QueuedExecutor deliveryThread = new QueuedExecutor();
    final ChannelHealth health = new ChannelHealth();
    final List<Message<?>> received = new ArrayList<>();
    final ConsumerLoop loop;
    private Flow.Subscription subscription;

    LoopHarness(IncomingSettings settings, CommitStrategy commitStrategy) {
        RecordDelivery delivery = new RecordDelivery(deliveryThread, settings.keyOrdered());
        loop = new ConsumerLoop(
                settings,
                consumer,
                new StringDeserializer(),
                new StringDeserializer(),
                commitStrategy,
                FailureStrategy.named("ignore", settings.channel(), "unused", List.of(), 0, null),
                delivery,
                health,
                time.asClock());
        loop.subscribe();
        delivery.subscribe(new Flow.Subscriber<Message<?>>() {
            @Override
            public void onSubscribe(Flow.Subscription value) {
                subscription = value;
            }

            @Override
            public void onNext(Message<?> message) {
                received.add(message);
            }

            @Override
            public void onError(Throwable error) {}

            @Override
            public void onComplete() {}
        });
        deliveryThread.runAll();
    }

    static IncomingSettings settings(boolean batch, boolean keyOrdered, boolean pauseIfNoRequests, int capacity) {
        return new IncomingSettings(
                "orders", List.of(TOPIC), null, batch, keyOrdered, pauseIfNoRequests, capacity, 100, false, 0);
    }

    static TopicPartition partition(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    /** The group hands partitions {@code 0..count-1} to this consumer, each starting at offset 0. */
    void assign(int count) {
        List<TopicPartition> partitions =
                IntStream.range(0, count).mapToObj(LoopHarness::partition).toList();
        Map<TopicPartition, Long> beginning = new HashMap<>();
        partitions.forEach(tp -> beginning.put(tp, 0L));
        consumer.updateBeginningOffsets(beginning);
        consumer.rebalance(partitions);
    }

    void add(int partition, long offset, String key, String value) {
        consumer.addRecord(new ConsumerRecord<>(
                TOPIC,
                partition,
                offset,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }

    void request(long n) {
        subscription.request(n);
        deliveryThread.runAll();
    }

    /** One poll-loop iteration, then whatever it handed to the delivery thread. */
    void step() {
        loop.iterate();
        deliveryThread.runAll();
    }

    static void ack(Message<?> message) {
        message.ack().toCompletableFuture().join();
    }

    List<Object> payloads() {
        return received.stream()
                .map(Message::getPayload)
                .map(Object.class::cast)
                .toList();
    }

    /** Committed position per partition number, as the group coordinator would have stored it. */
    Map<Integer, Long> committed() {
        Map<Integer, Long> positions = new HashMap<>();
        consumer.commits.forEach((tp, position) -> positions.put(tp.partition(), position));
        return positions;
    }

    /**
     * Remembers every commit: {@link MockConsumer#committed(java.util.Set)} reports 0 for partitions no longer assigned, which
     * would hide what was committed on revocation.
     */
    static final class RecordingConsumer extends MockConsumer<byte[], byte[]> {
        final Map<TopicPartition, Long> commits = new HashMap<>();

        RecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitAsync(
                Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
            offsets.forEach((tp, offset) -> commits.put(tp, offset.offset()));
            super.commitAsync(offsets, callback);
        }
    }
}
