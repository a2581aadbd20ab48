package dev.skein.operator.topic;

import dev.skein.operator.annotations.ControlAnnotations;
import dev.skein.operator.kafka.AdminClients;
import dev.skein.operator.kafka.BootstrapServers;
import dev.skein.operator.kafka.KafkaConnectionConfig;
import dev.skein.operator.kafka.RetryBackoff;
import dev.skein.operator.status.Condition;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Reconciles {@link Topic} resources with topics on Skein brokers through the Kafka Admin client.
 *
 * <p>Each reconciliation: honours {@code skein.dev/managed: "false"} and {@code skein.dev/pause-reconciliation};
 * validates the spec ({@link TopicSpecValidator}); resolves the cluster ({@link BootstrapServers}); checks that no
 * older Topic claims the same Kafka topic ({@link TopicOwnership}); describes the topic and applies the
 * {@link TopicDiff} plan (create, add partitions, SET/DELETE configs); and writes the status once at the end, only when
 * it changed. A broker that cannot be reached costs at most the Admin timeout per call and is retried with
 * exponential backoff ({@link RetryBackoff}); the max reconciliation interval (2 minutes by default, key
 * {@code quarkus.operator-sdk.controllers.topic.max-reconciliation-interval}) catches drift made outside Kubernetes.
 *
 * <p>The finalizer ({@link #cleanup}) deletes the Kafka topic with the resource, except when the resource is
 * unmanaged or paused, annotated {@code skein.dev/deletion-policy: retain}, or another live Topic claims the same
 * topic.
 *
 * <p>Threads: JOSDK calls this concurrently for different resources and never concurrently for one; the only shared
 * state is the backoff table and the Admin client cache, both thread-safe.
 */
@ControllerConfiguration(
        name = TopicReconciler.NAME,
        // annotation changes (managed, pause) must trigger a reconciliation although they keep the generation;
        // the status is patched only when it changes, so the status events this causes end in a no-op
        generationAwareEventProcessing = false,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 2, timeUnit = TimeUnit.MINUTES))
public class TopicReconciler implements Reconciler<Topic>, Cleaner<Topic> {
    /** The controller name, used in {@code quarkus.operator-sdk.controllers.topic.*} keys. */
    public static final String NAME = "topic";

    private static final Logger LOG = Logger.getLogger(TopicReconciler.class);

    private final KafkaConnectionConfig config;
    private final AdminClients admins;
    private final RetryBackoff backoff;
    private final Clock clock;

    @Inject
    public TopicReconciler(KafkaConnectionConfig config, AdminClients admins) {
        this(config, admins, Clock.systemUTC());
    }

    TopicReconciler(KafkaConnectionConfig config, AdminClients admins, Clock clock) {
        this.config = config;
        this.admins = admins;
        this.backoff = new RetryBackoff(config.retryInitial(), config.retryMax());
        this.clock = clock;
    }

    @Override
    public UpdateControl<Topic> reconcile(Topic topic, Context<Topic> context) throws Exception {
        TopicOutcome outcome = decide(topic, context);
        TopicStatus previous = topic.getStatus();
        long generation =
                Optional.ofNullable(topic.getMetadata().getGeneration()).orElse(0L);
        TopicStatus next = outcome.applyTo(previous, generation, clock.instant());
        UpdateControl<Topic> control;
        if (next.equals(previous)) {
            control = UpdateControl.noUpdate();
        } else {
            LOG.infof(
                    "Topic %s/%s: %s",
                    topic.getMetadata().getNamespace(),
                    topic.getMetadata().getName(),
                    next.getConditions().get(0));
            topic.setStatus(next);
            control = UpdateControl.patchStatus(topic);
        }
        String uid = topic.getMetadata().getUid();
        if (outcome.reason() == TopicReason.BrokerUnavailable || outcome.reason() == TopicReason.KafkaError) {
            control.rescheduleAfter(backoff.nextDelay(uid));
        } else {
            backoff.reset(uid);
        }
        return control;
    }

    private TopicOutcome decide(Topic topic, Context<Topic> context) throws Exception {
        String name = topic.effectiveTopicName();
        if (ControlAnnotations.unmanaged(topic)) {
            return TopicOutcome.of(
                    TopicReason.Unmanaged,
                    ControlAnnotations.MANAGED + " is \"false\": the operator neither changes nor deletes topic '"
                            + name + "'");
        }
        if (ControlAnnotations.paused(topic)) {
            return TopicOutcome.of(
                    TopicReason.ReconciliationPaused,
                    ControlAnnotations.PAUSE_RECONCILIATION + " is \"true\": topic '" + name
                            + "' is left as it is until the annotation is removed");
        }
        Optional<String> problem = TopicSpecValidator.problem(topic);
        if (problem.isPresent()) {
            return TopicOutcome.of(TopicReason.InvalidSpec, problem.get());
        }
        Optional<String> bootstrap = BootstrapServers.resolve(config.bootstrapServers(), topic);
        if (bootstrap.isEmpty()) {
            return TopicOutcome.of(TopicReason.InvalidSpec, missingClusterMessage());
        }
        TopicClaim self = TopicClaim.of(topic);
        Optional<TopicClaim> winner = TopicOwnership.winnerOver(self, claimants(topic, bootstrap.get(), context));
        if (winner.isPresent()) {
            return new TopicOutcome(
                    TopicReason.ResourceConflict,
                    "Topic " + winner.get().displayName() + " (created "
                            + winner.get().createdAt()
                            + ") already manages Kafka topic '" + name + "'; this resource changes nothing and "
                            + "deleting it leaves the topic in place",
                    name,
                    null);
        }
        try {
            return sync(
                    DesiredTopic.of(topic), new BrokerTopics(admins.forBootstrap(bootstrap.get()), admins.timeout()));
        } catch (Exception e) {
            return TopicFailures.outcomeOf(e, name, bootstrap.get()).orElseThrow(() -> e);
        }
    }

    private static TopicOutcome sync(DesiredTopic desired, BrokerTopics broker) throws Exception {
        Optional<ObservedTopic> observed = broker.describe(desired.name());
        TopicPlan plan = TopicDiff.plan(desired, observed);
        String topicId;
        if (plan.create()) {
            topicId = broker.create(desired);
        } else {
            topicId = observed.orElseThrow().topicId();
            if (plan.newPartitionCount() > 0) {
                broker.growPartitions(desired.name(), plan.newPartitionCount());
            }
            if (!plan.configChanges().isEmpty()) {
                broker.alterConfigs(desired.name(), plan.configChanges());
            }
        }
        if (!plan.unsupported().isEmpty()) {
            return new TopicOutcome(
                    TopicReason.NotSupported,
                    "topic '" + desired.name() + "': " + String.join("; ", plan.unsupported()),
                    desired.name(),
                    topicId);
        }
        return new TopicOutcome(
                TopicReason.Ready,
                "topic '" + desired.name() + "' has " + count(desired.partitions(), "partition") + ", "
                        + count(desired.replicas(), "replica") + " and "
                        + count(desired.config().size(), "config override"),
                desired.name(),
                topicId);
    }

    @Override
    public DeleteControl cleanup(Topic topic, Context<Topic> context) throws Exception {
        String uid = topic.getMetadata().getUid();
        Optional<String> retainedBecause = retainReason(topic, context);
        if (retainedBecause.isPresent()) {
            backoff.reset(uid);
            LOG.infof(
                    "Topic %s/%s deleted; Kafka topic kept: %s",
                    topic.getMetadata().getNamespace(), topic.getMetadata().getName(), retainedBecause.get());
            return DeleteControl.defaultDelete();
        }
        String name = managedTopicName(topic).orElseThrow();
        String bootstrap =
                BootstrapServers.resolve(config.bootstrapServers(), topic).orElseThrow();
        try {
            boolean deleted = new BrokerTopics(admins.forBootstrap(bootstrap), admins.timeout()).delete(name);
            backoff.reset(uid);
            LOG.infof(
                    "Topic %s/%s deleted; Kafka topic '%s' %s",
                    topic.getMetadata().getNamespace(),
                    topic.getMetadata().getName(),
                    name,
                    deleted ? "deleted" : "was already gone");
            return DeleteControl.defaultDelete();
        } catch (Exception e) {
            TopicOutcome outcome = TopicFailures.outcomeOf(e, name, bootstrap).orElseThrow(() -> e);
            Duration delay = backoff.nextDelay(uid);
            LOG.warnf(
                    "Topic %s/%s: cannot delete Kafka topic '%s' yet (%s); retrying in %s",
                    topic.getMetadata().getNamespace(), topic.getMetadata().getName(), name, outcome.message(), delay);
            return DeleteControl.noFinalizerRemoval().rescheduleAfter(delay.toMillis());
        }
    }

    /** Why deleting this resource must leave the Kafka topic alone, or empty when the topic is to be deleted. */
    private Optional<String> retainReason(Topic topic, Context<Topic> context) {
        if (ControlAnnotations.unmanaged(topic)) {
            return Optional.of(ControlAnnotations.MANAGED + " is \"false\"");
        }
        if (ControlAnnotations.paused(topic)) {
            return Optional.of("reconciliation is paused");
        }
        if (TopicAnnotations.retainOnDelete(topic)) {
            return Optional.of(TopicAnnotations.DELETION_POLICY + " is \"" + TopicAnnotations.RETAIN + "\"");
        }
        Optional<String> name = managedTopicName(topic);
        if (name.isEmpty()) {
            return Optional.of("the resource never managed a topic");
        }
        Optional<String> bootstrap = BootstrapServers.resolve(config.bootstrapServers(), topic);
        if (bootstrap.isEmpty()) {
            return Optional.of(missingClusterMessage());
        }
        if (lastReason(topic)
                .filter(TopicReason.ResourceConflict.name()::equals)
                .isPresent()) {
            return Optional.of("another Topic manages '" + name.get() + "'");
        }
        TopicClaim self = TopicClaim.of(topic);
        List<TopicClaim> others = claimants(name.get(), bootstrap.get(), context);
        if (TopicOwnership.othersClaim(self, others)) {
            return Optional.of("another Topic claims '" + name.get() + "' and takes it over");
        }
        return Optional.empty();
    }

    /**
     * The Kafka topic this resource manages: the one recorded in the status, else the spec's name when the spec is
     * valid.
     */
    private static Optional<String> managedTopicName(Topic topic) {
        if (topic.getStatus() != null && topic.getStatus().getTopicName() != null) {
            return Optional.of(topic.getStatus().getTopicName());
        }
        return TopicSpecValidator.problem(topic).isEmpty() ? Optional.of(topic.effectiveTopicName()) : Optional.empty();
    }

    private static Optional<String> lastReason(Topic topic) {
        return Optional.ofNullable(topic.getStatus())
                .flatMap(status -> status.condition(Condition.READY))
                .map(Condition::getReason);
    }

    private List<TopicClaim> claimants(Topic topic, String bootstrap, Context<Topic> context) {
        return claimants(topic.effectiveTopicName(), bootstrap, context);
    }

    /** Live, managed Topic resources (from the informer cache) that name {@code topicName} on the same cluster. */
    private List<TopicClaim> claimants(String topicName, String bootstrap, Context<Topic> context) {
        return context.getPrimaryCache()
                .list()
                .filter(other -> other.getMetadata().getDeletionTimestamp() == null)
                .filter(other -> !ControlAnnotations.unmanaged(other))
                .filter(other -> topicName.equals(other.effectiveTopicName()))
                .filter(other -> BootstrapServers.resolve(config.bootstrapServers(), other)
                        .filter(bootstrap::equals)
                        .isPresent())
                .map(TopicClaim::of)
                .toList();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String missingClusterMessage() {
        return "the label " + BootstrapServers.CLUSTER_LABEL + " naming the SkeinCluster is missing (and the operator "
                + "has no skein.operator.bootstrap-servers override)";
    }
}
