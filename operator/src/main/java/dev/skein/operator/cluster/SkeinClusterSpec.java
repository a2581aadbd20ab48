package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.Map;

/** Desired state of a {@link SkeinCluster}; see {@code docs/operator.md} for every field. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SkeinClusterSpec {
    /** Skein version run when no image is given: the image is {@code ghcr.io/skein-dev/skein:<version>}. */
    public static final String DEFAULT_VERSION = "0.1.0";

    @Required
    @Min(1)
    @JsonPropertyDescription("Number of brokers; broker ids are the pod ordinals 0..replicas-1")
    private int replicas = 1;

    @JsonPropertyDescription("Skein version, the tag of ghcr.io/skein-dev/skein used when image is not set")
    private String version;

    @JsonPropertyDescription("Broker container image; overrides version")
    private String image;

    @JsonPropertyDescription("Persistent volume claimed by every broker for its logs")
    private StorageSpec storage;

    @JsonPropertyDescription("ZooKeeper: an ensemble run by the operator (replicas) or an external one (connect)")
    private ZooKeeperSpec zookeeper;

    @JsonPropertyDescription("Broker properties (docs/configuration.md); per-pod keys are set by the operator")
    private Map<String, String> config = new LinkedHashMap<>();

    @JsonPropertyDescription("CPU and memory of each broker container")
    private ResourceRequirements resources;

    @JsonPropertyDescription("Rack awareness: broker.rack from a label of the node each broker runs on")
    private RackSpec rack;

    @JsonPropertyDescription("Kafka protocol listeners")
    private ListenersSpec listeners;

    public int getReplicas() {
        return replicas;
    }

    public void setReplicas(int replicas) {
        this.replicas = replicas;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getImage() {
        return image;
    }

    public void setImage(String image) {
        this.image = image;
    }

    public StorageSpec getStorage() {
        return storage;
    }

    public void setStorage(StorageSpec storage) {
        this.storage = storage;
    }

    public ZooKeeperSpec getZookeeper() {
        return zookeeper;
    }

    public void setZookeeper(ZooKeeperSpec zookeeper) {
        this.zookeeper = zookeeper;
    }

    public Map<String, String> getConfig() {
        return config;
    }

    public void setConfig(Map<String, String> config) {
        this.config = config == null ? new LinkedHashMap<>() : config;
    }

    public ResourceRequirements getResources() {
        return resources;
    }

    public void setResources(ResourceRequirements resources) {
        this.resources = resources;
    }

    public RackSpec getRack() {
        return rack;
    }

    public void setRack(RackSpec rack) {
        this.rack = rack;
    }

    public ListenersSpec getListeners() {
        return listeners;
    }

    public void setListeners(ListenersSpec listeners) {
        this.listeners = listeners;
    }
}
