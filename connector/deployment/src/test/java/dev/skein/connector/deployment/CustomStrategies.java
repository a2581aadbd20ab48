package dev.skein.connector.deployment;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import dev.skein.connector.commit.CommitStrategy;
import dev.skein.connector.fault.FailureStrategy;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Strategies an application defines itself, as beans named by {@code @Identifier}. */
final class CustomStrategies {
    private CustomStrategies() {}

    /** {@code failure-strategy=quarantine}: keeps nacked records in memory and commits past them. */
    @ApplicationScoped
    @Identifier("quarantine")
    public static class QuarantineFailures implements FailureStrategy.Factory {
        private final ConcurrentLinkedQueue<String> records = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<String> channels = new ConcurrentLinkedQueue<>();

        @Override
        public FailureStrategy create(SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
            channels.add(config.getChannel());
            return (record, reason) -> {
                records.add(new String(record.value(), StandardCharsets.UTF_8) + ": " + reason.getMessage());
                return CompletableFuture.completedFuture(null);
            };
        }

        /** "value: reason" of each record handled. */
        List<String> records() {
            return List.copyOf(records);
        }

        /** The channels a strategy was created for. */
        List<String> channels() {
            return List.copyOf(channels);
        }
    }

    /** {@code commit-strategy=every-ack}: commits on each poll-loop iteration after an acknowledgement. */
    @ApplicationScoped
    @Identifier("every-ack")
    public static class EveryAck implements CommitStrategy.Factory {
        private final ConcurrentLinkedQueue<String> channels = new ConcurrentLinkedQueue<>();

        @Override
        public CommitStrategy create(SkeinConnectorIncomingConfiguration config) {
            channels.add(config.getChannel());
            return nowMs -> true;
        }

        /** The channels (one entry per consumer) a strategy was created for. */
        List<String> channels() {
            return List.copyOf(channels);
        }
    }
}
