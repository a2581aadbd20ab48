package dev.skein.server.admin;

import static dev.skein.server.admin.KafkaClients.await;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** {@code /api/v1/cluster}: the cluster as the Kafka Admin client describes it. */
@Path("/api/v1/cluster")
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {
    /** A broker of the cluster; every broker listed is alive (registered in ZooKeeper). */
    public record BrokerView(int id, String host, int port, String rack, boolean alive) {}

    /** The cluster: id, controller broker id (-1 when none), live brokers and the Skein version serving this. */
    public record ClusterView(String clusterId, int controller, List<BrokerView> brokers, String version) {}

    private final KafkaClients clients;
    private final String version;

    @Inject
    public ClusterResource(KafkaClients clients, @ConfigProperty(name = "quarkus.application.version") String version) {
        this.clients = clients;
        this.version = version;
    }

    @GET
    public ClusterView describe() {
        DescribeClusterResult cluster = clients.admin().describeCluster();
        Node controller = await(cluster.controller());
        Collection<Node> nodes = await(cluster.nodes());
        List<BrokerView> brokers = new ArrayList<>();
        for (Node node : nodes) {
            brokers.add(new BrokerView(node.id(), node.host(), node.port(), node.rack(), true));
        }
        brokers.sort(Comparator.comparingInt(BrokerView::id));
        return new ClusterView(await(cluster.clusterId()), controller == null ? -1 : controller.id(), brokers, version);
    }
}
