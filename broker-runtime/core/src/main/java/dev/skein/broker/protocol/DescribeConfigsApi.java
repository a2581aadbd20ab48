package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/** DescribeConfigs for topics and for this broker; other resource types get INVALID_REQUEST with a message. */
final class DescribeConfigsApi implements ApiHandler {
    private final MetadataStore metadata;
    private final ConfigDescriber describer;
    private final int brokerId;

    DescribeConfigsApi(MetadataStore metadata, ConfigDescriber describer, int brokerId) {
        this.metadata = metadata;
        this.describer = describer;
        this.brokerId = brokerId;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeConfigsRequest describe = (DescribeConfigsRequest) request;
        boolean synonyms = describe.data().includeSynonyms();
        boolean docs = describe.data().includeDocumentation();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : describe.data().resources()) {
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            Optional<List<ConfigDescriber.Entry>> entries = entries(type, resource.resourceName(), result);
            entries.ifPresent(list -> {
                for (ConfigDescriber.Entry entry : list) {
                    if (resource.configurationKeys() == null
                            || resource.configurationKeys().contains(entry.name())) {
                        result.configs().add(render(entry, synonyms, docs));
                    }
                }
            });
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(new DescribeConfigsResponse(response));
    }

    private Optional<List<ConfigDescriber.Entry>> entries(
            ConfigResource.Type type, String name, DescribeConfigsResult result) {
        if (type == ConfigResource.Type.TOPIC) {
            Optional<TopicDescription> topic = metadata.topic(name);
            if (topic.isEmpty()) {
                result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                        .setErrorMessage("Topic '" + name + "' does not exist");
                return Optional.empty();
            }
            return Optional.of(describer.topic(topic.get().configs()));
        }
        if (type == ConfigResource.Type.BROKER) {
            if (!name.isEmpty() && !name.equals(Integer.toString(brokerId))) {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage(
                                "Broker " + name + " must be described by that broker (this is " + brokerId + ")");
                return Optional.empty();
            }
            return Optional.of(describer.broker());
        }
        result.setErrorCode(Errors.INVALID_REQUEST.code())
                .setErrorMessage("Describing " + type + " configs is not supported");
        return Optional.empty();
    }

    private static DescribeConfigsResourceResult render(ConfigDescriber.Entry entry, boolean synonyms, boolean docs) {
        DescribeConfigsResourceResult out = new DescribeConfigsResourceResult()
                .setName(entry.name())
                .setValue(entry.value())
                .setConfigSource(entry.source().id())
                .setReadOnly(entry.readOnly())
                .setIsSensitive(false)
                .setConfigType(entry.type().id())
                .setDocumentation(docs ? entry.documentation() : null);
        if (synonyms) {
            for (ConfigDescriber.Synonym synonym : entry.synonyms()) {
                out.synonyms()
                        .add(new DescribeConfigsSynonym()
                                .setName(synonym.name())
                                .setValue(synonym.value())
                                .setSource(synonym.source().id()));
            }
        }
        return out;
    }
}
