package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.function.Function;

/**
 * The namespaced children of a {@link SkeinCluster} as JOSDK dependent resources, one class per child, named in the
 * reconciler's {@code @Workflow}. None computes anything: each picks its object out of the {@link ClusterChildren}
 * the reconciler put into the workflow context for the current pass (under the key {@code ClusterChildren.class})
 * before invoking the workflow, so the children stay one pure function of (spec, decided size, observed claims).
 *
 * <p>Each child carries a controller owner reference to its cluster, so these are garbage-collected dependents: the
 * API server deletes them with the cluster, and JOSDK never deletes one itself (not even the ZooKeeper ones when
 * {@link RunsZooKeeper} stops holding: an ensemble that held data is left for the user to remove).
 */
public final class ClusterDependents {
    private ClusterDependents() {}

    /** A child of {@code type} whose name the cluster's {@link ClusterNames} gives. */
    abstract static class ClusterChild<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, SkeinCluster> {
        private final Function<ClusterNames, String> name;

        ClusterChild(Class<R> type, Function<ClusterNames, String> name) {
            super(type);
            this.name = name;
        }

        @Override
        protected R desired(SkeinCluster primary, Context<SkeinCluster> context) {
            return children(context).find(resourceType(), name.apply(ClusterNames.of(primary)));
        }

        /** The child's name and namespace without building it: what JOSDK looks up in the shared informer. */
        @Override
        protected ResourceID targetSecondaryResourceID(SkeinCluster primary, Context<SkeinCluster> context) {
            ClusterNames names = ClusterNames.of(primary);
            return new ResourceID(name.apply(names), names.namespace());
        }
    }

    /** The children of the current pass, as the reconciler left them in the workflow context. */
    static ClusterChildren children(Context<SkeinCluster> context) {
        return context.managedWorkflowAndDependentResourceContext()
                .getMandatory(ClusterChildren.class, ClusterChildren.class);
    }

    /** Reconcile precondition of the ZooKeeper children: the operator runs the ensemble (no external connect). */
    public static final class RunsZooKeeper implements Condition<HasMetadata, SkeinCluster> {
        @Override
        public boolean isMet(
                DependentResource<HasMetadata, SkeinCluster> dependent,
                SkeinCluster primary,
                Context<SkeinCluster> context) {
            return children(context).runsZookeeper();
        }
    }

    /** The brokers' ServiceAccount. */
    public static final class BrokerServiceAccount extends ClusterChild<ServiceAccount> {
        public BrokerServiceAccount() {
            super(ServiceAccount.class, ClusterNames::brokerServiceAccount);
        }
    }

    /** The ConfigMap holding the brokers' {@code server.properties}. */
    public static final class BrokerConfig extends ClusterChild<ConfigMap> {
        public BrokerConfig() {
            super(ConfigMap.class, ClusterNames::configMap);
        }
    }

    /** The headless Service of the ZooKeeper servers. */
    public static final class ZooKeeperNodesService extends ClusterChild<Service> {
        public ZooKeeperNodesService() {
            super(Service.class, ClusterNames::zookeeperNodesService);
        }
    }

    /** The Service the brokers reach ZooKeeper through. */
    public static final class ZooKeeperClientService extends ClusterChild<Service> {
        public ZooKeeperClientService() {
            super(Service.class, ClusterNames::zookeeperClientService);
        }
    }

    /** The ZooKeeper servers' PodDisruptionBudget. */
    public static final class ZooKeeperDisruptionBudget extends ClusterChild<PodDisruptionBudget> {
        public ZooKeeperDisruptionBudget() {
            super(PodDisruptionBudget.class, ClusterNames::zookeeperDisruptionBudget);
        }
    }

    /** The ZooKeeper servers. */
    public static final class ZooKeeperStatefulSet extends ClusterChild<StatefulSet> {
        public ZooKeeperStatefulSet() {
            super(StatefulSet.class, ClusterNames::zookeeperStatefulSet);
        }
    }

    /** The brokers' headless Service (stable pod DNS names). */
    public static final class BrokersService extends ClusterChild<Service> {
        public BrokersService() {
            super(Service.class, ClusterNames::brokersService);
        }
    }

    /** The bootstrap Service clients connect to first. */
    public static final class BootstrapService extends ClusterChild<Service> {
        public BootstrapService() {
            super(Service.class, ClusterNames::bootstrapService);
        }
    }

    /** The brokers' PodDisruptionBudget. */
    public static final class BrokerDisruptionBudget extends ClusterChild<PodDisruptionBudget> {
        public BrokerDisruptionBudget() {
            super(PodDisruptionBudget.class, ClusterNames::brokerDisruptionBudget);
        }
    }

    /** The brokers, sized by the scale-down decision. */
    public static final class BrokerStatefulSet extends ClusterChild<StatefulSet> {
        public BrokerStatefulSet() {
            super(StatefulSet.class, ClusterNames::brokerStatefulSet);
        }
    }
}
