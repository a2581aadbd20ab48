package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * The Kafka protocol listener. Only a plaintext listener inside the Kubernetes network is supported: every broker
 * listens on {@code plainPort} and advertises {@code <pod>.<cluster>-brokers.<namespace>.svc:<plainPort>}; the
 * bootstrap Service always exposes port 9092 (name {@code kafka}) and forwards it to {@code plainPort}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ListenersSpec {
    /** The Kafka port used when none is given. */
    public static final int DEFAULT_PLAIN_PORT = 9092;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Port of the plaintext Kafka listener in the broker pods (default 9092)")
    private Integer plainPort;

    public ListenersSpec() {}

    public ListenersSpec(Integer plainPort) {
        this.plainPort = plainPort;
    }

    public Integer getPlainPort() {
        return plainPort;
    }

    public void setPlainPort(Integer plainPort) {
        this.plainPort = plainPort;
    }
}
