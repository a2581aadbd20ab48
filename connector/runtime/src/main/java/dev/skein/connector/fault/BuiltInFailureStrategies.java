package dev.skein.connector.fault;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Arrays;
import java.util.List;

/** The built-in {@code failure-strategy} values as {@link FailureStrategy.Factory} beans. */
public final class BuiltInFailureStrategies {
    private BuiltInFailureStrategies() {}

    /** The bean classes, for the extension to register. */
    public static final List<Class<? extends FailureStrategy.Factory>> BEANS =
            List.of(Fail.class, Ignore.class, DeadLetter.class, DelayedRetry.class);

    /** Names of the built-ins, for error messages. */
    public static final List<String> NAMES = List.of("fail", "ignore", "dead-letter-queue", "delayed-retry-topic");

    /** The built-in named {@code name}, or null. */
    public static FailureStrategy.Factory named(String name) {
        return NAMES.contains(name) ? (config, resources) -> create(name, config, resources) : null;
    }

    private static FailureStrategy create(
            String name, SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
        String channel = config.getChannel();
        if (name.equals("fail") || name.equals("ignore")) {
            return FailureStrategy.named(name, channel, null, List.of(), 0, null);
        }
        List<String> retryTopics = retryTopics(config, resources.baseTopic());
        return FailureStrategy.named(
                name,
                channel,
                config.getDeadLetterQueueTopic().orElse("dead-letter-topic-" + resources.baseChannel()),
                retryTopics,
                config.getDelayedRetryTopicMaxRetries().orElse(retryTopics.size()),
                resources.copyProducer());
    }

    /** {@code delayed-retry-topic.topics}, or smallrye-kafka's three defaults named after {@code baseTopic}. */
    private static List<String> retryTopics(SkeinConnectorIncomingConfiguration config, String baseTopic) {
        return config.getDelayedRetryTopicTopics()
                .map(value -> Arrays.stream(value.split(","))
                        .map(String::trim)
                        .filter(s -> !s.isEmpty())
                        .toList())
                .orElse(List.of(baseTopic + "_retry_10000", baseTopic + "_retry_20000", baseTopic + "_retry_50000"));
    }

    /** {@code fail}: stops the channel. */
    @ApplicationScoped
    @Identifier("fail")
    public static class Fail implements FailureStrategy.Factory {
        @Override
        public FailureStrategy create(SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
            return BuiltInFailureStrategies.create("fail", config, resources);
        }
    }

    /** {@code ignore}: logs and commits past the record. */
    @ApplicationScoped
    @Identifier("ignore")
    public static class Ignore implements FailureStrategy.Factory {
        @Override
        public FailureStrategy create(SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
            return BuiltInFailureStrategies.create("ignore", config, resources);
        }
    }

    /** {@code dead-letter-queue}: copies the record to the dead-letter topic. */
    @ApplicationScoped
    @Identifier("dead-letter-queue")
    public static class DeadLetter implements FailureStrategy.Factory {
        @Override
        public FailureStrategy create(SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
            return BuiltInFailureStrategies.create("dead-letter-queue", config, resources);
        }
    }

    /** {@code delayed-retry-topic}: copies the record to the next retry topic, then to the dead-letter topic. */
    @ApplicationScoped
    @Identifier("delayed-retry-topic")
    public static class DelayedRetry implements FailureStrategy.Factory {
        @Override
        public FailureStrategy create(SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
            return BuiltInFailureStrategies.create("delayed-retry-topic", config, resources);
        }
    }
}
