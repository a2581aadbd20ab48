package dev.skein.operator.topic;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The desired state of a Kafka topic. The API server validates the schema derived from the annotations below; the
 * reconciler validates again ({@link TopicSpecValidator}) because not every API server (nor the test mock server)
 * enforces the schema, and reports violations as {@code Ready=False} reason {@code InvalidSpec}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TopicSpec {
    @JsonPropertyDescription("Name of the Kafka topic; defaults to metadata.name. Immutable once set. Legal characters "
            + "are ASCII letters, digits, '.', '_' and '-', at most 249 of them, and neither '.' nor '..'.")
    @Pattern(TopicSpecValidator.LEGAL_NAME_REGEX)
    @Size(min = 1, max = TopicSpecValidator.MAX_NAME_LENGTH)
    @ValidationRule(value = "self == oldSelf", message = "topicName is immutable")
    private String topicName;

    @JsonPropertyDescription("Number of partitions (at least 1). Partitions can only be added: a decrease is reported "
            + "as NotSupported and leaves the topic alone.")
    @Required
    @Min(1)
    private Integer partitions;

    @JsonPropertyDescription("Replication factor (at least 1, at most the number of brokers). Fixed after creation: a "
            + "change is reported as NotSupported until partition reassignment is supported.")
    @Required
    @Min(1)
    @Max(Short.MAX_VALUE)
    private Integer replicas;

    @JsonPropertyDescription("Kafka topic configs (for example retention.ms, cleanup.policy). The spec wins: values "
            + "changed outside Kubernetes are set back, and overrides that are not listed here are reset to the "
            + "broker default.")
    private Map<String, String> config = new LinkedHashMap<>();

    public String getTopicName() {
        return topicName;
    }

    public void setTopicName(String topicName) {
        this.topicName = topicName;
    }

    public Integer getPartitions() {
        return partitions;
    }

    public void setPartitions(Integer partitions) {
        this.partitions = partitions;
    }

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
    }

    public Map<String, String> getConfig() {
        return config;
    }

    public void setConfig(Map<String, String> config) {
        this.config = config == null ? new LinkedHashMap<>() : config;
    }
}
