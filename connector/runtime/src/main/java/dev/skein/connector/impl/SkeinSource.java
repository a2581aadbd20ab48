package dev.skein.connector.impl;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import dev.skein.connector.commit.CommitStrategy;
import dev.skein.connector.fault.FailureStrategy;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.health.HealthReport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * An incoming {@code skein} channel: {@code partitions} {@link ConsumerLoop}s in one consumer group, each on its own
 * thread with its own {@link RecordDelivery}, merged into one publisher. The consumer reads raw bytes and the channel
 * deserializes them, so a record that fails to deserialize is nacked like any other poison record and dead-letter
 * copies are byte-identical. {@link #close()} stops every loop and waits for its final commit.
 */
public final class SkeinSource implements HealthReporting {
    private final String channel;
    private final boolean healthEnabled;
    private final boolean readinessEnabled;
    private final List<ConsumerLoop> loops;
    private final List<Thread> threads;
    private final List<ChannelHealth> healths;
    private final List<ExecutorService> deliveryThreads;
    private final Producer<byte[], byte[]> copyProducer;
    private final Flow.Publisher<Message<?>> publisher;

    private SkeinSource(
            String channel,
            boolean healthEnabled,
            boolean readinessEnabled,
            List<ConsumerLoop> loops,
            List<Thread> threads,
            List<ChannelHealth> healths,
            List<ExecutorService> deliveryThreads,
            Producer<byte[], byte[]> copyProducer,
            Flow.Publisher<Message<?>> publisher) {
        this.channel = channel;
        this.healthEnabled = healthEnabled;
        this.readinessEnabled = readinessEnabled;
        this.loops = loops;
        this.threads = threads;
        this.healths = healths;
        this.deliveryThreads = deliveryThreads;
        this.copyProducer = copyProducer;
        this.publisher = publisher;
    }

    /**
     * Validates the channel configuration, creates the clients and starts polling. When any step fails, the clients
     * and threads created before it are closed before the exception propagates: a failed open leaks nothing.
     *
     * @throws IllegalArgumentException when an attribute has an unsupported value (the message names it)
     */
    public static SkeinSource open(SkeinConnectorIncomingConfiguration config, Clock clock) {
        return open(config, clock, StrategyLookup.builtIn());
    }

    /**
     * As {@link #open(SkeinConnectorIncomingConfiguration, Clock)}, with the commit and failure strategies looked up
     * in {@code strategies} (the connector's CDI beans).
     *
     * @throws IllegalArgumentException when an attribute has an unsupported value or names no strategy
     */
    public static SkeinSource open(SkeinConnectorIncomingConfiguration config, Clock clock, StrategyLookup strategies) {
        rejectTransactional(config);
        IncomingSettings settings = settings(config);
        Map<String, Object> clientProperties = consumerProperties(config);
        ClientProperties.warnUnknown(config.getChannel(), config.config(), ConsumerConfig.configNames(), "consumer");
        Parts parts = new Parts();
        try {
            FailureStrategy failureStrategy = strategies
                    .failureFactory(config.getChannel(), config.getFailureStrategy())
                    .create(config, parts.failureResources(config, settings, clientProperties));
            CommitStrategy.Factory commitStrategies =
                    strategies.commitFactory(config.getChannel(), config.getCommitStrategy());
            int consumers = Math.max(1, config.getPartitions());
            for (int i = 0; i < consumers; i++) {
                addConsumer(i, config, settings, clientProperties, failureStrategy, commitStrategies, clock, parts);
            }
            return start(config, parts);
        } catch (RuntimeException | Error e) {
            parts.discard(e);
            throw e;
        }
    }

    private static void rejectTransactional(SkeinConnectorIncomingConfiguration config) {
        if (config.getTransactional()) {
            throw new IllegalArgumentException("Channel " + config.getChannel()
                    + ": transactional=true is not supported yet (exactly-once is a later release)");
        }
    }

    /** Creates consumer {@code index} with its delivery thread, loop and (unstarted) polling thread. */
    private static void addConsumer(
            int index,
            SkeinConnectorIncomingConfiguration config,
            IncomingSettings settings,
            Map<String, Object> clientProperties,
            FailureStrategy failureStrategy,
            CommitStrategy.Factory commitStrategies,
            Clock clock,
            Parts parts) {
        String channel = config.getChannel();
        Map<String, Object> properties = new HashMap<>(clientProperties);
        properties.put(
                ConsumerConfig.CLIENT_ID_CONFIG,
                properties.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, "skein-" + channel) + "-" + index);
        ExecutorService deliveryThread =
                Executors.newSingleThreadExecutor(daemon("skein-" + channel + "-delivery-" + index));
        parts.deliveryThreads.add(deliveryThread);
        KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        parts.consumers.add(consumer);
        ChannelHealth health = new ChannelHealth();
        RecordDelivery delivery = new RecordDelivery(deliveryThread, settings.keyOrdered());
        ConsumerLoop loop = new ConsumerLoop(
                settings,
                consumer,
                deserializer(config.getKeyDeserializer(), clientProperties, true),
                deserializer(config.getValueDeserializer(), clientProperties, false),
                commitStrategies.create(config),
                failureStrategy,
                delivery,
                health,
                clock);
        parts.loops.add(loop);
        parts.healths.add(health);
        parts.threads.add(daemon("skein-" + channel + "-consumer-" + index).newThread(loop));
        parts.streams.add(Multi.createFrom().publisher(delivery));
    }

    /** Merges the loops' streams into the channel's publisher and starts polling. */
    private static SkeinSource start(SkeinConnectorIncomingConfiguration config, Parts parts) {
        Flow.Publisher<Message<?>> publisher = parts.streams.size() == 1
                ? parts.streams.get(0)
                : Multi.createBy().merging().streams(parts.streams);
        SkeinSource source = new SkeinSource(
                config.getChannel(),
                config.getHealthEnabled(),
                config.getHealthReadinessEnabled(),
                List.copyOf(parts.loops),
                List.copyOf(parts.threads),
                List.copyOf(parts.healths),
                List.copyOf(parts.deliveryThreads),
                parts.copyProducer,
                publisher);
        parts.threads.forEach(Thread::start);
        return source;
    }

    /**
     * What {@link #open} created so far, so that a failure part-way can close it. Only the opening thread uses it; no
     * polling thread has started while it can still be discarded.
     */
    private static final class Parts {
        private Producer<byte[], byte[]> copyProducer;
        private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        private final List<ConsumerLoop> loops = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final List<ChannelHealth> healths = new ArrayList<>();
        private final List<ExecutorService> deliveryThreads = new ArrayList<>();
        private final List<Multi<Message<?>>> streams = new ArrayList<>();

        /** The failure strategy's resources; its copy producer is created on first use and kept here. */
        FailureStrategy.Resources failureResources(
                SkeinConnectorIncomingConfiguration config,
                IncomingSettings settings,
                Map<String, Object> clientProperties) {
            String baseChannel = ClientProperties.baseChannel(config.getChannel());
            String baseTopic = settings.pattern() == null ? settings.topics().get(0) : baseChannel;
            return new FailureStrategy.Resources() {
                @Override
                public Producer<byte[], byte[]> copyProducer() {
                    if (copyProducer == null) {
                        copyProducer = new KafkaProducer<>(copyProducerProperties(config, clientProperties));
                    }
                    return copyProducer;
                }

                @Override
                public String baseTopic() {
                    return baseTopic;
                }

                @Override
                public String baseChannel() {
                    return baseChannel;
                }
            };
        }

        /** Closes every client and stops every delivery thread; what fails to close is added to {@code failure}. */
        void discard(Throwable failure) {
            for (KafkaConsumer<byte[], byte[]> consumer : consumers) {
                closeInto(failure, () -> consumer.close(Duration.ZERO));
            }
            deliveryThreads.forEach(ExecutorService::shutdownNow);
            if (copyProducer != null) {
                closeInto(failure, () -> copyProducer.close(Duration.ZERO));
            }
        }

        private static void closeInto(Throwable failure, Runnable close) {
            try {
                close.run();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static IncomingSettings settings(SkeinConnectorIncomingConfiguration config) {
        List<String> topics = topics(config);
        Pattern pattern = config.getPattern() ? Pattern.compile(topics.get(0)) : null;
        int maxPollRecords = Integer.parseInt(String.valueOf(ClientProperties.passThrough(config.config())
                .getOrDefault(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500")));
        return new IncomingSettings(
                config.getChannel(),
                topics,
                pattern,
                config.getBatch(),
                keyOrdered(config),
                config.getPauseIfNoRequests(),
                Math.max(1, config.getMaxQueueSizeFactor()) * maxPollRecords,
                config.getPollTimeout(),
                config.getGracefulShutdown(),
                config.getGracefulShutdownTimeoutMs());
    }

    /**
     * {@code ordered} (smallrye-kafka's name) or its older alias {@code ordering}: {@code key} or {@code partition}.
     *
     * @throws IllegalArgumentException for another value, or when both are set to different values
     */
    static boolean keyOrdered(SkeinConnectorIncomingConfiguration config) {
        String channel = config.getChannel();
        Optional<String> ordered = config.config().getOptionalValue("ordered", String.class);
        Optional<String> ordering = config.getOrdering();
        if (ordered.isPresent() && ordering.isPresent() && !ordered.get().equals(ordering.get())) {
            throw new IllegalArgumentException("Channel " + channel + ": ordered=" + ordered.get() + " and ordering="
                    + ordering.get() + " disagree; set only ordered");
        }
        String value = ordering.orElse(config.getOrdered());
        if (!value.equals("partition") && !value.equals("key")) {
            throw new IllegalArgumentException(
                    "Channel " + channel + ": ordered=" + value + " is not one of partition, key");
        }
        return value.equals("key");
    }

    public Flow.Publisher<Message<?>> publisher() {
        return publisher;
    }

    @Override
    public void reportReadiness(HealthReport.HealthReportBuilder builder) {
        if (healthEnabled) {
            boolean ready = !readinessEnabled || healths.stream().allMatch(ChannelHealth::ready);
            builder.add(channel, ready, ready ? null : problem());
        }
    }

    @Override
    public void reportLiveness(HealthReport.HealthReportBuilder builder) {
        if (healthEnabled) {
            boolean alive = healths.stream().allMatch(ChannelHealth::alive);
            builder.add(channel, alive, alive ? null : problem());
        }
    }

    private String problem() {
        return healths.stream()
                .map(ChannelHealth::problem)
                .filter(p -> p != null)
                .findFirst()
                .orElse(null);
    }

    /** Stops the consumers (each drains, commits and closes), then the delivery threads and the copy producer. */
    public void close() {
        loops.forEach(ConsumerLoop::stop);
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        deliveryThreads.forEach(ExecutorService::shutdown);
        for (ExecutorService deliveryThread : deliveryThreads) {
            try {
                deliveryThread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (copyProducer != null) {
            copyProducer.close(Duration.ofSeconds(5));
        }
    }

    private static List<String> topics(SkeinConnectorIncomingConfiguration config) {
        if (config.getTopic().isPresent() && config.getTopics().isPresent()) {
            throw new IllegalArgumentException(
                    "Channel " + config.getChannel() + ": set either topic or topics, not both");
        }
        if (config.getTopics().isPresent()) {
            return Arrays.stream(config.getTopics().get().split(","))
                    .map(String::trim)
                    .filter(topic -> !topic.isEmpty())
                    .toList();
        }
        if (config.getPattern() && config.getTopic().isEmpty()) {
            throw new IllegalArgumentException("Channel " + config.getChannel() + ": pattern=true needs topic");
        }
        return List.of(config.getTopic().orElse(ClientProperties.baseChannel(config.getChannel())));
    }

    static Map<String, Object> consumerProperties(SkeinConnectorIncomingConfiguration config) {
        Map<String, Object> properties = ClientProperties.passThrough(config.config());
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        properties.put(
                ConsumerConfig.GROUP_ID_CONFIG,
                config.getGroupId().orElse(ClientProperties.baseChannel(config.getChannel())));
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.getAutoOffsetReset());
        if (config.getCommitStrategy().equals("ignore")) {
            // as in smallrye-kafka: nothing commits unless the application opts into the client's auto-commit
            properties.putIfAbsent(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        } else {
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        }
        properties.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        properties.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        return properties;
    }

    private static Map<String, Object> copyProducerProperties(
            SkeinConnectorIncomingConfiguration config, Map<String, Object> clientProperties) {
        Map<String, Object> properties = ClientProperties.connectionOnly(clientProperties);
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "skein-" + config.getChannel() + "-failures");
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return properties;
    }

    private static Deserializer<?> deserializer(String className, Map<String, Object> properties, boolean isKey) {
        Deserializer<?> deserializer = ClientProperties.instantiate(className, Deserializer.class);
        deserializer.configure(properties, isKey);
        return deserializer;
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
