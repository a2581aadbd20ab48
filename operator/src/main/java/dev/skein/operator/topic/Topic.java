package dev.skein.operator.topic;

import dev.skein.operator.status.Condition;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A Kafka topic on a Skein cluster, managed declaratively: the operator creates it, keeps its partitions and configs
 * equal to {@link TopicSpec} and deletes it with the resource (see {@link
 * dev.skein.operator.annotations.ControlAnnotations} and {@link TopicAnnotations} for the opt-outs).
 *
 * <p>The cluster is named by the label {@code skein.dev/cluster}; the operator setting
 * {@code skein.operator.bootstrap-servers} overrides it for every Topic. Outcomes are reported in {@link TopicStatus}.
 */
@Group(Topic.GROUP)
@Version(Topic.VERSION)
@Kind("Topic")
@Plural("topics")
@ShortNames({"skt"})
@AdditionalPrinterColumn(name = "Topic", jsonPath = ".status.topicName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Partitions",
        jsonPath = ".spec.partitions",
        type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Replicas", jsonPath = ".spec.replicas", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Ready",
        jsonPath = Condition.READY_STATUS_PATH,
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "Reason",
        jsonPath = Condition.READY_REASON_PATH,
        type = AdditionalPrinterColumn.Type.STRING,
        priority = 1)
public class Topic extends CustomResource<TopicSpec, TopicStatus> implements Namespaced {
    public static final String GROUP = "skein.dev";
    public static final String VERSION = "v1alpha1";

    /** The Kafka topic this resource names: {@code spec.topicName}, or {@code metadata.name} when that is unset. */
    public String effectiveTopicName() {
        TopicSpec spec = getSpec();
        if (spec != null && spec.getTopicName() != null) {
            return spec.getTopicName();
        }
        return getMetadata().getName();
    }
}
