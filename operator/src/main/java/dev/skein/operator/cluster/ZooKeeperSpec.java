package dev.skein.operator.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Where the brokers' ZooKeeper is. With {@code connect} the brokers use that external ensemble and the operator runs
 * none; otherwise the operator runs an ensemble of {@code replicas} servers (official {@code zookeeper} image) in the
 * StatefulSet {@code <cluster>-zookeeper}. Skein's in-process embedded ZooKeeper is not used: it is one server bound
 * to 127.0.0.1, so brokers in other pods could not reach it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ZooKeeperSpec {
    @Min(1)
    @Max(7)
    @JsonPropertyDescription("Servers of the ensemble run by the operator (odd: 1, 3 or 5); ignored with connect")
    private Integer replicas;

    @JsonPropertyDescription("ZooKeeper image of the ensemble run by the operator")
    private String image;

    @JsonPropertyDescription("Volume of each ZooKeeper server")
    private StorageSpec storage;

    @JsonPropertyDescription("Connect string of an external ensemble, e.g. zk-0.zk:2181,zk-1.zk:2181/skein")
    private String connect;

    public Integer getReplicas() {
        return replicas;
    }

    public void setReplicas(Integer replicas) {
        this.replicas = replicas;
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

    public String getConnect() {
        return connect;
    }

    public void setConnect(String connect) {
        this.connect = connect;
    }
}
