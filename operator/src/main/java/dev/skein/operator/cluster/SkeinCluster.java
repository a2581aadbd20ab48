package dev.skein.operator.cluster;

import dev.skein.operator.status.Condition;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Skein cluster: brokers in a StatefulSet, their Services, ConfigMap and PodDisruptionBudget, and (unless an external
 * ensemble is named) a ZooKeeper ensemble, all owned by this resource. Reconciled by {@link SkeinClusterReconciler};
 * the children it produces are described in {@code docs/operator.md}.
 */
@Group("skein.dev")
@Version("v1alpha1")
@ShortNames("skc")
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Ready Brokers",
        jsonPath = ".status.readyBrokers",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = Condition.READY_STATUS_PATH,
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Reason",
        jsonPath = Condition.READY_REASON_PATH,
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
public class SkeinCluster extends CustomResource<SkeinClusterSpec, SkeinClusterStatus> implements Namespaced {}
