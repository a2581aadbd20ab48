package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * Rack awareness. Each broker's {@code broker.rack} is the value of the node label {@code topologyKey} of the node it
 * runs on, read by an init container (see {@link BrokerPodTemplate}); brokers are spread over the values of that key.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RackSpec {
    /** Image of the init container that reads the node label; it needs {@code sh} and {@code kubectl}. */
    public static final String DEFAULT_INIT_IMAGE = "docker.io/bitnami/kubectl:1.31";

    @Required
    @Pattern(
            "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
    @JsonPropertyDescription("Node label whose value becomes broker.rack, e.g. topology.kubernetes.io/zone")
    private String topologyKey;

    @JsonPropertyDescription("Image with sh and kubectl that reads the node label")
    private String initImage;

    public RackSpec() {}

    public RackSpec(String topologyKey) {
        this.topologyKey = topologyKey;
    }

    public String getTopologyKey() {
        return topologyKey;
    }

    public void setTopologyKey(String topologyKey) {
        this.topologyKey = topologyKey;
    }

    public String getInitImage() {
        return initImage;
    }

    public void setInitImage(String initImage) {
        this.initImage = initImage;
    }
}
