package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything the operator keeps in the API for one cluster, in the order it is applied (what a pod mounts or joins
 * exists before the pod's StatefulSet). Pure.
 *
 * @param namespaced children owned by the SkeinCluster (garbage-collected with it)
 * @param rackBinding the cluster-scoped rack binding, present only when rack awareness is on
 * @param runsZookeeper whether {@code namespaced} holds the ZooKeeper ensemble the operator runs
 */
public record ClusterChildren(
        List<HasMetadata> namespaced, Optional<ClusterRoleBinding> rackBinding, boolean runsZookeeper) {

    /**
     * The desired children with a broker StatefulSet of {@code brokerReplicas}; {@code existingClaims} are the volume
     * claim templates of the existing broker StatefulSet, or null when there is none.
     */
    public static ClusterChildren desired(
            ClusterModel model, int brokerReplicas, List<PersistentVolumeClaim> existingClaims) {
        BrokerConfigFile config = BrokerConfigFile.render(model);
        List<HasMetadata> children = new ArrayList<>();
        children.add(BrokerResources.serviceAccount(model));
        children.add(BrokerResources.configMap(model, config));
        if (model.runsZookeeper()) {
            children.add(ZooKeeperEnsemble.nodesService(model));
            children.add(ZooKeeperEnsemble.clientService(model));
            children.add(ZooKeeperEnsemble.disruptionBudget(model));
            children.add(ZooKeeperEnsemble.statefulSet(model));
        }
        children.add(BrokerResources.brokersService(model));
        children.add(BrokerResources.bootstrapService(model));
        children.add(BrokerResources.disruptionBudget(model));
        children.add(BrokerResources.statefulSet(model, brokerReplicas, config.hash(), existingClaims));
        return new ClusterChildren(
                List.copyOf(children),
                model.rack().map(rack -> BrokerResources.rackBinding(model)),
                model.runsZookeeper());
    }

    /**
     * The namespaced child of {@code type} named {@code name}.
     *
     * @throws IllegalStateException if there is none (a dependent asked for a child this cluster does not have)
     */
    public <R extends HasMetadata> R find(Class<R> type, String name) {
        return namespaced.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(child -> name.equals(child.getMetadata().getName()))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + type.getSimpleName() + " " + name));
    }
}
