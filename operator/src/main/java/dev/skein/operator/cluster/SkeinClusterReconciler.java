package dev.skein.operator.cluster;

import dev.skein.operator.annotations.ControlAnnotations;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.api.reconciler.dependent.managed.ManagedWorkflowAndDependentResourceContext;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reconciles a {@link SkeinCluster} into its children ({@link ClusterChildren}) and its status. Each pass: check the
 * spec ({@link ClusterModel}), decide the broker count ({@link ScaleDownGuard}, which asks the brokers only when the
 * spec shrinks the cluster), compute the children, let the JOSDK workflow of {@link ClusterDependents} create or
 * update those that differ (what a pod mounts or joins before its StatefulSet), and write the status once and only
 * when it changed. The workflow is invoked explicitly, after the spec check and the size decision it depends on: an
 * invalid spec or a paused cluster touches no child. It never waits: a refused scale-down or unready brokers are
 * re-checked by rescheduling, and changes of the owned StatefulSets, Services, ConfigMaps, PodDisruptionBudgets and
 * ServiceAccount trigger a pass.
 *
 * <p>The annotation {@value ControlAnnotations#PAUSE_RECONCILIATION}{@code : "true"} or {@value
 * ControlAnnotations#MANAGED}{@code : "false"} makes a pass do nothing. The one child that is not a dependent is the
 * cluster-scoped rack binding: it cannot carry an owner reference to a namespaced cluster, so this class applies and
 * deletes it itself and the finalizer removes it.
 */
@ControllerConfiguration(
        fieldManager = SkeinClusterReconciler.FIELD_MANAGER,
        maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
@Workflow(
        explicitInvocation = true,
        dependents = {
            @Dependent(
                    name = "service-account",
                    type = ClusterDependents.BrokerServiceAccount.class,
                    useEventSourceWithName = "skeincluster-serviceaccount"),
            @Dependent(
                    name = "config",
                    type = ClusterDependents.BrokerConfig.class,
                    useEventSourceWithName = "skeincluster-configmap"),
            @Dependent(
                    name = "zookeeper-nodes",
                    type = ClusterDependents.ZooKeeperNodesService.class,
                    reconcilePrecondition = ClusterDependents.RunsZooKeeper.class,
                    useEventSourceWithName = "skeincluster-service"),
            @Dependent(
                    name = "zookeeper-client",
                    type = ClusterDependents.ZooKeeperClientService.class,
                    reconcilePrecondition = ClusterDependents.RunsZooKeeper.class,
                    useEventSourceWithName = "skeincluster-service"),
            @Dependent(
                    name = "zookeeper-budget",
                    type = ClusterDependents.ZooKeeperDisruptionBudget.class,
                    reconcilePrecondition = ClusterDependents.RunsZooKeeper.class,
                    useEventSourceWithName = "skeincluster-poddisruptionbudget"),
            @Dependent(
                    name = "zookeeper",
                    type = ClusterDependents.ZooKeeperStatefulSet.class,
                    reconcilePrecondition = ClusterDependents.RunsZooKeeper.class,
                    dependsOn = {"zookeeper-nodes", "zookeeper-client", "zookeeper-budget"},
                    useEventSourceWithName = "skeincluster-statefulset"),
            @Dependent(
                    name = "brokers",
                    type = ClusterDependents.BrokersService.class,
                    useEventSourceWithName = "skeincluster-service"),
            @Dependent(
                    name = "bootstrap",
                    type = ClusterDependents.BootstrapService.class,
                    useEventSourceWithName = "skeincluster-service"),
            @Dependent(
                    name = "broker-budget",
                    type = ClusterDependents.BrokerDisruptionBudget.class,
                    useEventSourceWithName = "skeincluster-poddisruptionbudget"),
            @Dependent(
                    name = "broker",
                    type = ClusterDependents.BrokerStatefulSet.class,
                    dependsOn = {"service-account", "config", "brokers", "bootstrap", "broker-budget"},
                    useEventSourceWithName = "skeincluster-statefulset"),
        })
public class SkeinClusterReconciler implements Reconciler<SkeinCluster>, Cleaner<SkeinCluster> {
    /** Field manager of every server-side apply (the dependents' and the rack binding's). */
    static final String FIELD_MANAGER = "skein-operator";

    /**
     * Child kinds watched, so that a change or deletion of one triggers a pass; one informer per kind (named {@code
     * skeincluster-<kind>}), shared by the dependents of that kind.
     */
    public static final List<Class<? extends HasMetadata>> WATCHED_CHILD_TYPES =
            List.of(StatefulSet.class, Service.class, ConfigMap.class, PodDisruptionBudget.class, ServiceAccount.class);

    static final Duration BLOCKED_RECHECK = Duration.ofSeconds(30);
    static final Duration UNREACHABLE_RECHECK = Duration.ofSeconds(15);
    static final Duration NOT_READY_RECHECK = Duration.ofSeconds(60);

    private final ScaleDownGuard guard;
    private final Optional<String> bootstrapOverride;
    private final boolean serverSideApply;
    private final Time time;

    /**
     * @param placements how the scale-down guard reads replica placement
     * @param bootstrapOverride {@code skein.operator.bootstrap-servers}: where to reach every cluster's brokers
     *     instead of its bootstrap Service (brokers outside Kubernetes, tests)
     * @param serverSideApply apply the rack binding with server-side apply (the operator SDK's own switch, which the
     *     dependents follow too); otherwise create, or JSON-merge-patch what exists (for API servers without
     *     server-side apply, such as the test mock server)
     */
    @Inject
    public SkeinClusterReconciler(
            ReplicaPlacements placements,
            @ConfigProperty(name = "skein.operator.bootstrap-servers") Optional<String> bootstrapOverride,
            @ConfigProperty(name = "quarkus.operator-sdk.enable-ssa", defaultValue = "true") boolean serverSideApply) {
        this(placements, bootstrapOverride, serverSideApply, Time.SYSTEM);
    }

    SkeinClusterReconciler(
            ReplicaPlacements placements, Optional<String> bootstrapOverride, boolean serverSideApply, Time time) {
        this.guard = new ScaleDownGuard(placements);
        this.bootstrapOverride = bootstrapOverride.filter(s -> !s.isBlank());
        this.serverSideApply = serverSideApply;
        this.time = time;
    }

    @Override
    public List<EventSource<?, SkeinCluster>> prepareEventSources(EventSourceContext<SkeinCluster> context) {
        return WATCHED_CHILD_TYPES.stream()
                .<EventSource<?, SkeinCluster>>map(type -> owned(type, context))
                .toList();
    }

    @Override
    public UpdateControl<SkeinCluster> reconcile(SkeinCluster cluster, Context<SkeinCluster> context)
            throws InterruptedException {
        if (!isManaged(cluster)) {
            return UpdateControl.noUpdate();
        }
        ClusterModel.Result result = ClusterModel.from(cluster);
        if (result instanceof ClusterModel.Invalid invalid) {
            return withStatus(cluster, ClusterStatusCalculator.invalid(cluster, invalid.problems(), now()));
        }
        ClusterModel model = ((ClusterModel.Valid) result).model();
        ClusterNames names = model.names();
        Optional<StatefulSet> brokers = context.getSecondaryResourcesAsStream(StatefulSet.class)
                .filter(s -> names.brokerStatefulSet().equals(s.getMetadata().getName()))
                .findFirst();
        Integer current = brokers.map(s -> s.getSpec().getReplicas()).orElse(null);
        ScaleDownGuard.Decision decision = guard.decide(current, model.replicas(), bootstrapFor(names));

        ClusterChildren children = ClusterChildren.desired(
                model,
                decision.replicas(),
                brokers.map(s -> s.getSpec().getVolumeClaimTemplates()).orElse(null));
        ManagedWorkflowAndDependentResourceContext workflow = context.managedWorkflowAndDependentResourceContext();
        workflow.put(ClusterChildren.class, children);
        workflow.reconcileManagedWorkflow();
        KubernetesClient client = context.getClient();
        if (children.rackBinding().isPresent()) {
            applyRackBinding(client, children.rackBinding().get());
        } else {
            client.rbac().clusterRoleBindings().withName(names.rackBinding()).delete();
        }

        int ready = brokers.map(
                        s -> s.getStatus() == null ? null : s.getStatus().getReadyReplicas())
                .orElse(0);
        UpdateControl<SkeinCluster> control = withStatus(
                cluster, ClusterStatusCalculator.applied(cluster, decision, ready, names.bootstrapServers(), now()));
        if (decision instanceof ScaleDownGuard.Blocked) {
            return control.rescheduleAfter(BLOCKED_RECHECK);
        }
        if (decision instanceof ScaleDownGuard.Unreachable) {
            return control.rescheduleAfter(UNREACHABLE_RECHECK);
        }
        return ready < decision.replicas() ? control.rescheduleAfter(NOT_READY_RECHECK) : control;
    }

    @Override
    public DeleteControl cleanup(SkeinCluster cluster, Context<SkeinCluster> context) {
        ClusterNames names = ClusterNames.of(cluster);
        context.getClient()
                .rbac()
                .clusterRoleBindings()
                .withName(names.rackBinding())
                .delete();
        return DeleteControl.defaultDelete();
    }

    /** Where the guard asks the brokers: the configured override, else the cluster's bootstrap Service. */
    String bootstrapFor(ClusterNames names) {
        return bootstrapOverride.orElse(names.bootstrapServers());
    }

    static boolean isManaged(SkeinCluster cluster) {
        return !ControlAnnotations.unmanaged(cluster) && !ControlAnnotations.paused(cluster);
    }

    private void applyRackBinding(KubernetesClient client, ClusterRoleBinding binding) {
        if (serverSideApply) {
            client.resource(binding)
                    .fieldManager(FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
        } else {
            client.resource(binding).createOr(NonDeletingOperation::patch);
        }
    }

    /**
     * Patches the status only when {@code next} differs from the current one, so that a pass that changes nothing
     * writes nothing (and a status write never causes another pass for nothing).
     */
    private static UpdateControl<SkeinCluster> withStatus(SkeinCluster cluster, SkeinClusterStatus next) {
        if (next.equals(cluster.getStatus())) {
            return UpdateControl.noUpdate();
        }
        cluster.setStatus(next);
        return UpdateControl.patchStatus(cluster);
    }

    private Instant now() {
        return Instant.ofEpochMilli(time.milliseconds());
    }

    private static <R extends HasMetadata> EventSource<R, SkeinCluster> owned(
            Class<R> type, EventSourceContext<SkeinCluster> context) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, SkeinCluster.class)
                        .withName("skeincluster-" + type.getSimpleName().toLowerCase(Locale.ROOT))
                        .withLabelSelector("app.kubernetes.io/managed-by=" + ClusterNames.MANAGED_BY
                                + ",app.kubernetes.io/name=skein")
                        .build(),
                context);
    }
}
