package dev.skein.broker.protocol;

import dev.skein.broker.cluster.TopicDescription;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;

/**
 * AlterConfigs v0-2, the non-incremental form that kafkajs ({@code admin.alterConfigs}) and librdkafka-based
 * clients still send: the configs given become the topic's whole set of overrides (every override not listed
 * returns to its default), validated as a whole, then stored in ZooKeeper. Broker configuration is static: altering
 * it gets INVALID_REQUEST naming the restart it needs, as in {@link IncrementalAlterConfigsApi}.
 */
final class AlterConfigsApi implements ApiHandler {
    private final TopicConfigChanges changes;

    AlterConfigsApi(TopicConfigChanges changes) {
        this.changes = changes;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        AlterConfigsRequest alter = (AlterConfigsRequest) request;
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (AlterConfigsResource resource : alter.data().resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            try {
                replace(resource, alter.data().validateOnly());
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.responses().add(result);
        }
        return CompletableFuture.completedFuture(new AlterConfigsResponse(response));
    }

    private void replace(AlterConfigsResource resource, boolean validateOnly) {
        TopicDescription topic = changes.topic(resource.resourceType(), resource.resourceName());
        Map<String, String> overrides = new LinkedHashMap<>();
        for (AlterableConfig config : resource.configs()) {
            TopicConfigChanges.requireTopicConfig(config.name());
            if (config.value() != null) {
                overrides.put(config.name(), config.value());
            }
        }
        changes.replace(topic, overrides, validateOnly);
    }
}
