package dev.skein.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pod template of the broker StatefulSet. Pure: a function of the {@link ClusterModel} and the config hash.
 *
 * <p><b>Broker id:</b> the container command takes it from the pod's hostname, {@code <name>-broker-<ordinal>}: the
 * ordinal is the id, so a pod keeps its id (and its volume) across restarts and rescheduling.
 *
 * <p><b>Image layout assumed:</b> the broker server's Quarkus fast-jar at {@value #APP_JAR}, {@code java} on the
 * PATH and {@code /bin/sh} (Quarkus' standard JVM container layout).
 *
 * <p><b>Rack:</b> the downward API cannot expose node labels, so when rack awareness is on an init container
 * (image with {@code kubectl}) reads the label {@code topologyKey} of the node named by {@code spec.nodeName} into
 * {@value #RACK_FILE}, and the broker command passes it as {@code broker.rack}. It runs as the ServiceAccount {@code
 * <name>-broker}, which a ClusterRoleBinding ties to the ClusterRole {@value #RACK_CLUSTER_ROLE} (get nodes).
 */
public final class BrokerPodTemplate {
    /** The broker server jar inside the image. */
    public static final String APP_JAR = "/deployments/quarkus-run.jar";
    /** Where the ConfigMap is mounted. */
    public static final String CONFIG_MOUNT = "/etc/skein";
    /** File written by the rack init container. */
    public static final String RACK_FILE = "/etc/skein-rack/rack";
    /** ClusterRole (shipped in deploy/) that lets broker pods read nodes. */
    public static final String RACK_CLUSTER_ROLE = "skein-broker-rack";
    /** JVM options of the launcher ({@code ./skein}), used unless the pod sets {@code JAVA_OPTS}. */
    static final String DEFAULT_JAVA_OPTS =
            "-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=50 -Xss512k -XX:ReservedCodeCacheSize=64m";

    private BrokerPodTemplate() {}

    /** The template; {@code configHash} goes into the {@code skein.dev/config-hash} annotation. */
    public static PodTemplateSpec desired(ClusterModel model, String configHash) {
        ClusterNames names = model.names();
        Map<String, String> selector = names.selector("broker");
        List<Volume> volumes = new ArrayList<>();
        volumes.add(new VolumeBuilder()
                .withName("config")
                .withNewConfigMap()
                .withName(names.configMap())
                .endConfigMap()
                .build());
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(mount("data", BrokerConfigFile.DATA_MOUNT));
        mounts.add(mount("config", CONFIG_MOUNT));
        List<Container> initContainers = new ArrayList<>();
        model.rack().ifPresent(rack -> {
            volumes.add(new VolumeBuilder()
                    .withName("rack")
                    .withNewEmptyDir()
                    .endEmptyDir()
                    .build());
            mounts.add(mount("rack", parent(RACK_FILE)));
            initContainers.add(rackInitContainer(rack));
        });
        PodTemplateSpecBuilder template = new PodTemplateSpecBuilder()
                .withNewMetadata()
                .withLabels(names.labels("broker"))
                .withAnnotations(Map.of(ClusterNames.CONFIG_HASH_ANNOTATION, configHash))
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName(names.brokerServiceAccount())
                .withAutomountServiceAccountToken(model.rack().isPresent())
                .withTerminationGracePeriodSeconds(60L)
                .withInitContainers(initContainers)
                .withContainers(brokerContainer(model, mounts))
                .withVolumes(volumes)
                .withNewAffinity()
                .withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution()
                .withWeight(100)
                .withNewPodAffinityTerm()
                .withTopologyKey("kubernetes.io/hostname")
                .withNewLabelSelector()
                .withMatchLabels(selector)
                .endLabelSelector()
                .endPodAffinityTerm()
                .endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity()
                .endAffinity()
                .endSpec();
        model.rack().ifPresent(rack -> template.editSpec()
                .withTopologySpreadConstraints(new TopologySpreadConstraintBuilder()
                        .withMaxSkew(1)
                        .withTopologyKey(rack.topologyKey())
                        .withWhenUnsatisfiable("ScheduleAnyway")
                        .withNewLabelSelector()
                        .withMatchLabels(selector)
                        .endLabelSelector()
                        .build())
                .endSpec());
        return template.build();
    }

    /** The shell command of the broker container: derives the per-pod keys, then runs the server. */
    static String brokerCommand(ClusterModel model) {
        ClusterNames names = model.names();
        StringBuilder cmd = new StringBuilder("exec java ${JAVA_OPTS} -Dskein.config-file=")
                .append(CONFIG_MOUNT)
                .append('/')
                .append(BrokerConfigFile.FILE_NAME)
                .append(" -Dkafka.broker.id=${HOSTNAME##*-}")
                .append(" -Dkafka.advertised.listeners=PLAINTEXT://${HOSTNAME}.")
                .append(names.brokersService())
                .append('.')
                .append(names.namespace())
                .append(".svc:")
                .append(model.plainPort());
        if (model.rack().isPresent()) {
            cmd.append(" -Dkafka.broker.rack=\"$(cat ").append(RACK_FILE).append(")\"");
        }
        return cmd.append(" -jar ").append(APP_JAR).toString();
    }

    /** The shell command of the rack init container. The key is CRD-validated to label-key characters only. */
    static String rackCommand(ClusterModel.Rack rack) {
        String jsonPathKey = rack.topologyKey().replace(".", "\\.");
        return "kubectl get node \"$NODE_NAME\" -o jsonpath='{.metadata.labels." + jsonPathKey + "}' > " + RACK_FILE
                + " && if [ ! -s " + RACK_FILE + " ]; then echo \"node $NODE_NAME has no label " + rack.topologyKey()
                + ": broker.rack stays empty\"; fi";
    }

    private static Container brokerContainer(ClusterModel model, List<VolumeMount> mounts) {
        ContainerBuilder container = new ContainerBuilder()
                .withName("broker")
                .withImage(model.image())
                .withCommand("/bin/sh", "-c")
                .withArgs(brokerCommand(model))
                .addNewEnv()
                .withName("JAVA_OPTS")
                .withValue(DEFAULT_JAVA_OPTS)
                .endEnv()
                .addNewPort()
                .withName("kafka")
                .withContainerPort(model.plainPort())
                .endPort()
                .addNewPort()
                .withName("http")
                .withContainerPort(ClusterNames.HTTP_PORT)
                .endPort()
                .withVolumeMounts(mounts)
                .withReadinessProbe(httpProbe("/q/health/ready", 5, 3))
                .withLivenessProbe(httpProbe("/q/health/live", 30, 6));
        if (model.resources() != null) {
            container.withResources(model.resources());
        }
        return container.build();
    }

    private static Container rackInitContainer(ClusterModel.Rack rack) {
        return new ContainerBuilder()
                .withName("rack")
                .withImage(rack.initImage())
                .withCommand("/bin/sh", "-c")
                .withArgs(rackCommand(rack))
                .addNewEnv()
                .withName("NODE_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("spec.nodeName")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .withVolumeMounts(mount("rack", parent(RACK_FILE)))
                .build();
    }

    private static Probe httpProbe(String path, int initialDelaySeconds, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withInitialDelaySeconds(initialDelaySeconds)
                .withPeriodSeconds(10)
                .withTimeoutSeconds(5)
                .withFailureThreshold(failureThreshold)
                .build();
    }

    private static VolumeMount mount(String volume, String path) {
        return new VolumeMountBuilder().withName(volume).withMountPath(path).build();
    }

    private static String parent(String file) {
        return file.substring(0, file.lastIndexOf('/'));
    }
}
