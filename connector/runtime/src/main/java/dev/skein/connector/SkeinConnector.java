package dev.skein.connector;

import static io.smallrye.reactive.messaging.annotations.ConnectorAttribute.Direction.INCOMING;
import static io.smallrye.reactive.messaging.annotations.ConnectorAttribute.Direction.INCOMING_AND_OUTGOING;
import static io.smallrye.reactive.messaging.annotations.ConnectorAttribute.Direction.OUTGOING;

import dev.skein.connector.commit.CommitStrategy;
import dev.skein.connector.fault.FailureStrategy;
import dev.skein.connector.impl.SkeinSink;
import dev.skein.connector.impl.SkeinSource;
import dev.skein.connector.impl.StrategyLookup;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import io.smallrye.reactive.messaging.connector.OutboundConnector;
import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.health.HealthReporter;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The {@code skein} connector: incoming channels read a Skein (or any Kafka-protocol) topic through one
 * {@code KafkaConsumer} per {@code partitions}, outgoing channels write through one {@code KafkaProducer}.
 *
 * <p>Attribute names follow smallrye-kafka's, so an application moves over by changing {@code connector=smallrye-kafka}
 * to {@code connector=skein}. Any attribute not declared below is passed to the Kafka client unchanged, with a start-up
 * warning when it is not a Kafka client property either (a misspelt or unsupported attribute). With the framework's
 * {@code concurrency=N}, the copies {@code name$1..name$N} default {@code topic} and {@code group.id} to the base
 * channel's. Every channel
 * reports readiness and liveness; {@link #close()} (application shutdown) commits what was acknowledged before the
 * clients close. Thread-safe: SmallRye calls the factory methods from its start-up thread and the health methods from
 * any thread.
 */
@ApplicationScoped
@Connector(SkeinConnector.NAME)
@ConnectorAttribute(
        name = "bootstrap.servers",
        alias = "skein.bootstrap.servers",
        type = "string",
        direction = INCOMING_AND_OUTGOING,
        defaultValue = "localhost:9092",
        description = "Comma-separated host:port list of the Skein brokers used for the initial connection")
@ConnectorAttribute(
        name = "topic",
        type = "string",
        direction = INCOMING_AND_OUTGOING,
        description =
                "The topic to consume from / produce to; the channel name when neither `topic` nor `topics` is set")
@ConnectorAttribute(
        name = "health-enabled",
        type = "boolean",
        direction = INCOMING_AND_OUTGOING,
        defaultValue = "true",
        description = "Whether the channel reports liveness and readiness")
@ConnectorAttribute(
        name = "health-readiness-enabled",
        type = "boolean",
        direction = INCOMING_AND_OUTGOING,
        defaultValue = "true",
        description = "Whether readiness checks the broker connection (liveness is always reported when health is on)")
@ConnectorAttribute(
        name = "transactional",
        type = "boolean",
        direction = INCOMING_AND_OUTGOING,
        defaultValue = "false",
        description =
                "Reserved for exactly-once consume-transform-produce; `true` is rejected at start-up until it ships")
@ConnectorAttribute(
        name = "topics",
        type = "string",
        direction = INCOMING,
        description = "Comma-separated list of topics to consume; cannot be combined with `topic`")
@ConnectorAttribute(
        name = "pattern",
        type = "boolean",
        direction = INCOMING,
        defaultValue = "false",
        description = "Whether `topic` is a Java regular expression matched against topic names")
@ConnectorAttribute(
        name = "key.deserializer",
        type = "string",
        direction = INCOMING,
        defaultValue = "org.apache.kafka.common.serialization.StringDeserializer",
        description = "Deserializer class for record keys")
@ConnectorAttribute(
        name = "value.deserializer",
        type = "string",
        direction = INCOMING,
        mandatory = true,
        description = "Deserializer class for record values")
@ConnectorAttribute(
        name = "group.id",
        type = "string",
        direction = INCOMING,
        description =
                "Consumer group; defaults to the channel name so a restarted application resumes where it stopped")
@ConnectorAttribute(
        name = "auto.offset.reset",
        type = "string",
        direction = INCOMING,
        defaultValue = "latest",
        description = "Where a group without committed offsets starts: `earliest`, `latest` or `none`")
@ConnectorAttribute(
        name = "partitions",
        type = "int",
        direction = INCOMING,
        defaultValue = "1",
        description = "Number of consumers (each with its own polling thread) in the group for this channel")
@ConnectorAttribute(
        name = "batch",
        type = "boolean",
        direction = INCOMING,
        defaultValue = "false",
        description = "Whether each poll is delivered as one message whose payload is the list of record values")
@ConnectorAttribute(
        name = "commit-strategy",
        type = "string",
        direction = INCOMING,
        defaultValue = "throttled",
        description = "When acknowledged offsets are committed: `throttled` (every `auto.commit.interval.ms`), "
                + "`latest` (on the poll-loop iteration after an acknowledgement), `ignore` (the connector never "
                + "commits; `enable.auto.commit=true` lets the Kafka client commit instead), or the name of an "
                + "application bean `@Identifier(\"<name>\")` implementing `CommitStrategy.Factory`")
@ConnectorAttribute(
        name = "auto.commit.interval.ms",
        type = "int",
        direction = INCOMING,
        defaultValue = "5000",
        description = "Commit period of the `throttled` strategy in milliseconds")
@ConnectorAttribute(
        name = "throttled.unprocessed-record-max-age.ms",
        type = "int",
        direction = INCOMING,
        defaultValue = "60000",
        description = "With `throttled`: a record left unacknowledged longer than this turns liveness DOWN; 0 disables")
@ConnectorAttribute(
        name = "failure-strategy",
        type = "string",
        direction = INCOMING,
        defaultValue = "fail",
        description = "What a nack does: `fail` (stop the channel, liveness DOWN), `ignore` (log and commit past it), "
                + "`dead-letter-queue` (copy to the dead-letter topic), `delayed-retry-topic`, or the name of an "
                + "application bean `@Identifier(\"<name>\")` implementing `FailureStrategy.Factory`")
@ConnectorAttribute(
        name = "dead-letter-queue.topic",
        type = "string",
        direction = INCOMING,
        description = "Dead-letter topic; `dead-letter-topic-<channel>` when unset")
@ConnectorAttribute(
        name = "delayed-retry-topic.topics",
        type = "string",
        direction = INCOMING,
        description = "Comma-separated retry topics named `<anything>_<delay ms>`; "
                + "`<topic>_retry_10000,<topic>_retry_20000,<topic>_retry_50000` when unset")
@ConnectorAttribute(
        name = "delayed-retry-topic.max-retries",
        type = "int",
        direction = INCOMING,
        description = "Retries before a record goes to the dead-letter topic; the number of retry topics when unset")
@ConnectorAttribute(
        name = "pause-if-no-requests",
        type = "boolean",
        direction = INCOMING,
        defaultValue = "true",
        description = "Whether the consumer pauses its partitions as soon as downstream stops requesting; "
                + "it always pauses when the buffer is full")
@ConnectorAttribute(
        name = "max-queue-size-factor",
        type = "int",
        direction = INCOMING,
        defaultValue = "2",
        description =
                "Unacknowledged records held per consumer = factor x `max.poll.records`; beyond it the consumer pauses")
@ConnectorAttribute(
        name = "ordered",
        type = "string",
        direction = INCOMING,
        defaultValue = "partition",
        description = "`partition`: records are emitted in partition order without waiting; `key`: a record is emitted "
                + "only after the previous record with the same key was acked or nacked, so downstream concurrency "
                + "processes different keys in parallel and one key in order (smallrye-kafka's attribute name)")
@ConnectorAttribute(
        name = "ordering",
        type = "string",
        direction = INCOMING,
        description = "Older name of `ordered`, still accepted; setting both to different values fails at start-up")
@ConnectorAttribute(
        name = "poll-timeout",
        type = "int",
        direction = INCOMING,
        defaultValue = "1000",
        description = "Longest time in milliseconds one poll waits for records")
@ConnectorAttribute(
        name = "graceful-shutdown",
        type = "boolean",
        direction = INCOMING,
        defaultValue = "true",
        description = "Whether shutdown waits (up to `graceful-shutdown.timeout.ms`) for emitted records to be "
                + "acknowledged before committing and closing the consumer")
@ConnectorAttribute(
        name = "graceful-shutdown.timeout.ms",
        type = "int",
        direction = INCOMING,
        defaultValue = "10000",
        description = "Longest wait for in-flight records at shutdown")
@ConnectorAttribute(
        name = "key.serializer",
        type = "string",
        direction = OUTGOING,
        defaultValue = "org.apache.kafka.common.serialization.StringSerializer",
        description = "Serializer class for record keys")
@ConnectorAttribute(
        name = "value.serializer",
        type = "string",
        direction = OUTGOING,
        mandatory = true,
        description = "Serializer class for record values")
@ConnectorAttribute(
        name = "partition",
        type = "int",
        direction = OUTGOING,
        defaultValue = "-1",
        description = "Target partition; -1 lets the partitioner choose (by key)")
@ConnectorAttribute(
        name = "max-inflight-messages",
        type = "long",
        direction = OUTGOING,
        defaultValue = "1024",
        description = "Largest number of messages being written and not yet confirmed; 0 means unbounded")
@ConnectorAttribute(
        name = "waitForWriteCompletion",
        type = "boolean",
        direction = OUTGOING,
        defaultValue = "true",
        description = "Whether a message is acked only once the broker confirmed the write")
@ConnectorAttribute(
        name = "propagate-record-key",
        type = "boolean",
        direction = OUTGOING,
        defaultValue = "false",
        description = "Whether the key of the incoming skein record a message came from becomes the outgoing key")
public class SkeinConnector implements InboundConnector, OutboundConnector, HealthReporter {
    public static final String NAME = "skein";

    @Inject
    @Any
    Instance<CommitStrategy.Factory> commitStrategies;

    @Inject
    @Any
    Instance<FailureStrategy.Factory> failureStrategies;

    private final List<SkeinSource> sources = new CopyOnWriteArrayList<>();
    private final List<SkeinSink> sinks = new CopyOnWriteArrayList<>();

    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config config) {
        StrategyLookup strategies = new StrategyLookup(
                name -> byIdentifier(commitStrategies, name), name -> byIdentifier(failureStrategies, name));
        SkeinSource source =
                SkeinSource.open(new SkeinConnectorIncomingConfiguration(config), Clock.systemUTC(), strategies);
        sources.add(source);
        return source.publisher();
    }

    @Override
    public Flow.Subscriber<? extends Message<?>> getSubscriber(Config config) {
        SkeinSink sink = SkeinSink.open(new SkeinConnectorOutgoingConfiguration(config));
        sinks.add(sink);
        return sink.subscriber();
    }

    @Override
    public HealthReport getReadiness() {
        HealthReport.HealthReportBuilder builder = HealthReport.builder();
        sources.forEach(source -> source.reportReadiness(builder));
        sinks.forEach(sink -> sink.reportReadiness(builder));
        return builder.build();
    }

    @Override
    public HealthReport getLiveness() {
        HealthReport.HealthReportBuilder builder = HealthReport.builder();
        sources.forEach(source -> source.reportLiveness(builder));
        sinks.forEach(sink -> sink.reportLiveness(builder));
        return builder.build();
    }

    /** The bean of {@code beans} annotated {@code @Identifier(name)}, or null when there is none. */
    private static <T> T byIdentifier(Instance<T> beans, String name) {
        Instance<T> named = beans.select(Identifier.Literal.of(name));
        return named.isUnsatisfied() ? null : named.get();
    }

    /** Stops every channel: consumers commit what was acknowledged, producers flush, then all clients close. */
    @PreDestroy
    public void close() {
        sources.forEach(SkeinSource::close);
        sinks.forEach(SkeinSink::close);
        sources.clear();
        sinks.clear();
    }
}
