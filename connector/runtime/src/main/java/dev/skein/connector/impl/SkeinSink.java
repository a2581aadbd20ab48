package dev.skein.connector.impl;

import dev.skein.connector.SkeinConnectorOutgoingConfiguration;
import dev.skein.connector.SkeinIncomingMetadata;
import dev.skein.connector.SkeinOutgoingMetadata;
import io.smallrye.reactive.messaging.health.HealthReport;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outgoing {@code skein} channel: one thread-safe {@code KafkaProducer}. At most {@code max-inflight-messages}
 * messages are requested from upstream and not yet confirmed; a message is acked when the broker confirmed the write
 * (or at once with {@code waitForWriteCompletion=false}) and nacked with the send error otherwise. Readiness is DOWN
 * from a failed send until the next successful one; liveness is DOWN once upstream failed the stream.
 */
public final class SkeinSink implements HealthReporting {
    private static final Logger log = LoggerFactory.getLogger(SkeinSink.class);
    private final String channel;
    private final String topic;
    private final int partition;
    private final long maxInflight;
    private final boolean waitForWriteCompletion;
    private final boolean propagateRecordKey;
    private final boolean healthEnabled;
    private final boolean readinessEnabled;
    private final Producer<Object, Object> producer;
    private final AtomicReference<String> lastSendFailure = new AtomicReference<>();
    private final AtomicReference<String> streamFailure = new AtomicReference<>();
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();

    private SkeinSink(SkeinConnectorOutgoingConfiguration config, Producer<Object, Object> producer) {
        this.channel = config.getChannel();
        this.topic = config.getTopic().orElse(ClientProperties.baseChannel(config.getChannel()));
        this.partition = config.getPartition();
        this.maxInflight = config.getMaxInflightMessages();
        this.waitForWriteCompletion = config.getWaitForWriteCompletion();
        this.propagateRecordKey = config.getPropagateRecordKey();
        this.healthEnabled = config.getHealthEnabled();
        this.readinessEnabled = config.getHealthReadinessEnabled();
        this.producer = producer;
    }

    /**
     * Validates the configuration and creates the producer.
     *
     * @throws IllegalArgumentException when an attribute has an unsupported value (the message names it)
     */
    public static SkeinSink open(SkeinConnectorOutgoingConfiguration config) {
        if (config.getTransactional()) {
            throw new IllegalArgumentException("Channel " + config.getChannel()
                    + ": transactional=true is not supported yet (exactly-once is a later release)");
        }
        Map<String, Object> properties = ClientProperties.passThrough(config.config());
        ClientProperties.warnUnknown(config.getChannel(), config.config(), ProducerConfig.configNames(), "producer");
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.getBootstrapServers());
        properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, config.getKeySerializer());
        properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, config.getValueSerializer());
        properties.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "skein-" + config.getChannel());
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try {
            // kafka-clients loads serializer classes through the context class loader when one is set
            Thread.currentThread()
                    .setContextClassLoader(previous == null ? SkeinSink.class.getClassLoader() : previous);
            return new SkeinSink(config, new KafkaProducer<>(properties));
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    public Flow.Subscriber<Message<?>> subscriber() {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                if (!subscription.compareAndSet(null, s)) {
                    s.cancel();
                    return;
                }
                s.request(maxInflight <= 0 ? Long.MAX_VALUE : maxInflight);
            }

            @Override
            public void onNext(Message<?> message) {
                send(message);
            }

            @Override
            public void onError(Throwable error) {
                streamFailure.set(String.valueOf(error));
                producer.flush();
            }

            @Override
            public void onComplete() {
                producer.flush();
            }
        };
    }

    private void send(Message<?> message) {
        ProducerRecord<Object, Object> record;
        try {
            record = toRecord(message);
        } catch (RuntimeException e) {
            message.nack(e);
            requestNext();
            return;
        }
        try {
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    lastSendFailure.set(null);
                    if (waitForWriteCompletion) {
                        message.ack();
                    }
                } else {
                    log.debug("Channel {}: write failed: {}", channel, error.toString());
                    lastSendFailure.set(String.valueOf(error));
                    if (waitForWriteCompletion) {
                        message.nack(error);
                    }
                }
                if (waitForWriteCompletion) {
                    requestNext();
                }
            });
        } catch (RuntimeException e) {
            log.debug("Channel {}: write rejected: {}", channel, e.toString());
            lastSendFailure.set(String.valueOf(e));
            message.nack(e);
            requestNext();
            return;
        }
        if (!waitForWriteCompletion) {
            message.ack();
            requestNext();
        }
    }

    private void requestNext() {
        if (maxInflight > 0) {
            subscription.get().request(1);
        }
    }

    private ProducerRecord<Object, Object> toRecord(Message<?> message) {
        Optional<SkeinOutgoingMetadata> outgoing = message.getMetadata(SkeinOutgoingMetadata.class);
        Object key = outgoing.map(SkeinOutgoingMetadata::key).orElse(null);
        if (key == null && propagateRecordKey) {
            key = message.getMetadata(SkeinIncomingMetadata.class)
                    .map(SkeinIncomingMetadata::key)
                    .orElse(null);
        }
        String target = outgoing.map(SkeinOutgoingMetadata::topic).orElse(null);
        int targetPartition = outgoing.map(SkeinOutgoingMetadata::partition).orElse(-1);
        long timestamp = outgoing.map(SkeinOutgoingMetadata::timestamp).orElse(-1L);
        ProducerRecord<Object, Object> record = new ProducerRecord<>(
                target == null ? topic : target,
                targetPartition >= 0 ? Integer.valueOf(targetPartition) : partition >= 0 ? partition : null,
                timestamp >= 0 ? timestamp : null,
                key,
                message.getPayload());
        outgoing.ifPresent(metadata -> metadata.headers().forEach(record.headers()::add));
        return record;
    }

    @Override
    public void reportReadiness(HealthReport.HealthReportBuilder builder) {
        if (healthEnabled) {
            String problem = readinessEnabled ? lastSendFailure.get() : null;
            builder.add(channel, problem == null && streamFailure.get() == null, problem);
        }
    }

    @Override
    public void reportLiveness(HealthReport.HealthReportBuilder builder) {
        if (healthEnabled) {
            String problem = streamFailure.get();
            builder.add(channel, problem == null, problem);
        }
    }

    /** Waits for pending writes (bounded) and closes the producer. */
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
