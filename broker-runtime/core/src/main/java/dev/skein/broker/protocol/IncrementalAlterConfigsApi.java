package dev.skein.broker.protocol;

import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.log.LogConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs on topics: SET, DELETE, APPEND and SUBTRACT applied to the topic's overrides, validated as a
 * whole, then stored in ZooKeeper (and applied to the local logs). Broker configuration is static: altering it gets
 * INVALID_REQUEST naming the restart it needs.
 */
final class IncrementalAlterConfigsApi implements ApiHandler {
    private final TopicConfigChanges changes;

    IncrementalAlterConfigsApi(TopicConfigChanges changes) {
        this.changes = changes;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        IncrementalAlterConfigsRequest alter = (IncrementalAlterConfigsRequest) request;
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        for (AlterConfigsResource resource : alter.data().resources()) {
            AlterConfigsResourceResponse result = new AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName());
            try {
                alter(resource, alter.data().validateOnly());
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
            response.responses().add(result);
        }
        return CompletableFuture.completedFuture(new IncrementalAlterConfigsResponse(response));
    }

    private void alter(AlterConfigsResource resource, boolean validateOnly) {
        TopicDescription topic = changes.topic(resource.resourceType(), resource.resourceName());
        Map<String, String> overrides = new LinkedHashMap<>(topic.configs());
        for (AlterableConfig config : resource.configs()) {
            apply(overrides, config);
        }
        changes.replace(topic, overrides, validateOnly);
    }

    private static void apply(Map<String, String> overrides, AlterableConfig config) {
        String name = config.name();
        TopicConfigChanges.requireTopicConfig(name);
        AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(config.configOperation());
        if (op == null) {
            throw new InvalidRequestException("Unknown config operation " + config.configOperation());
        }
        switch (op) {
            case SET -> overrides.put(name, config.value());
            case DELETE -> overrides.remove(name);
            case APPEND, SUBTRACT -> overrides.put(name, listOp(op, overrides.get(name), name, config.value()));
        }
    }

    private static String listOp(AlterConfigOp.OpType op, String current, String name, String value) {
        if (LogConfig.TOPIC_CONFIG.keys().get(name).type() != dev.skein.broker.common.config.ConfigDef.Type.LIST) {
            throw new InvalidConfigurationException(op + " applies to list configs only; '" + name + "' is not one");
        }
        List<String> items = new ArrayList<>();
        if (current != null && !current.isBlank()) {
            items.addAll(Arrays.asList(current.split(",")));
        }
        for (String item : value.split(",")) {
            if (op == AlterConfigOp.OpType.APPEND && !items.contains(item)) {
                items.add(item);
            } else if (op == AlterConfigOp.OpType.SUBTRACT) {
                items.remove(item);
            }
        }
        return String.join(",", items);
    }
}
