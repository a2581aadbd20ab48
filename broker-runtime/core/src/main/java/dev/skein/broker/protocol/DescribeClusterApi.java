package dev.skein.broker.protocol;

import dev.skein.broker.cluster.BrokerRegistration;
import dev.skein.broker.cluster.MetadataStore;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.MetadataResponse;

/** DescribeCluster (AdminClient.describeCluster): live brokers, cluster id and controller. */
final class DescribeClusterApi implements ApiHandler {
    private static final byte BROKER_ENDPOINTS = 1;

    private final MetadataStore metadata;
    private final String clusterId;
    private final IntSupplier controllerId;

    DescribeClusterApi(MetadataStore metadata, String clusterId, IntSupplier controllerId) {
        this.metadata = metadata;
        this.clusterId = clusterId;
        this.controllerId = controllerId;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeClusterRequest describe = (DescribeClusterRequest) request;
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(clusterId)
                .setControllerId(controllerId.getAsInt())
                .setEndpointType(BROKER_ENDPOINTS)
                .setClusterAuthorizedOperations(MetadataResponse.AUTHORIZED_OPERATIONS_OMITTED);
        if (describe.data().endpointType() != BROKER_ENDPOINTS) {
            response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("This broker only describes broker endpoints");
        } else {
            for (BrokerRegistration broker : metadata.liveBrokers()) {
                response.brokers()
                        .add(new DescribeClusterBroker()
                                .setBrokerId(broker.id())
                                .setHost(broker.host())
                                .setPort(broker.port())
                                .setRack(broker.rack()));
            }
        }
        return CompletableFuture.completedFuture(new DescribeClusterResponse(response));
    }
}
