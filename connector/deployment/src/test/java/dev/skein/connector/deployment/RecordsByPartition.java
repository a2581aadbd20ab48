package dev.skein.connector.deployment;

import dev.skein.connector.SkeinIncomingMetadata;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.eclipse.microprofile.reactive.messaging.Message;

/** The payloads a test application received, per partition in arrival order; safe for concurrent consumers. */
final class RecordsByPartition {
    private final Map<Integer, ConcurrentLinkedQueue<String>> byPartition = new ConcurrentHashMap<>();

    void add(Message<String> message) {
        int partition =
                message.getMetadata(SkeinIncomingMetadata.class).orElseThrow().partition();
        byPartition
                .computeIfAbsent(partition, p -> new ConcurrentLinkedQueue<>())
                .add(message.getPayload());
    }

    int count() {
        return byPartition.values().stream()
                .mapToInt(ConcurrentLinkedQueue::size)
                .sum();
    }

    List<String> ofPartition(int partition) {
        return List.copyOf(byPartition.getOrDefault(partition, new ConcurrentLinkedQueue<>()));
    }
}
