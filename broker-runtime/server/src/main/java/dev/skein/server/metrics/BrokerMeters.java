package dev.skein.server.metrics;

import dev.skein.broker.Broker;
import dev.skein.broker.group.GroupListing;
import dev.skein.broker.group.GroupState;
import dev.skein.broker.partition.Partition;
import dev.skein.server.BrokerLifecycle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Binds the broker to Micrometer, served in Prometheus format at {@code /q/metrics} (JVM metrics come from Quarkus'
 * own binders). Broker-wide gauges are Micrometer gauges read on scrape:
 *
 * <ul>
 *   <li>{@code kafka_server_delayedoperationpurgatory_purgatorysize{delayedOperation="Fetch"}};
 *   <li>{@code kafka_server_replicamanager_partitioncount}, {@code _leadercount}, {@code
 *       _underreplicatedpartitions} (hosted partitions whose ISR is smaller than their replica set);
 *   <li>{@code kafka_controller_kafkacontroller_activecontrollercount} (1 on the broker that answers as controller)
 *       and {@code _offlinepartitionscount} (partitions without a leader, cluster-wide);
 *   <li>{@code kafka_server_zookeeperclient_connected} (1 while the ZooKeeper session is connected);
 *   <li>{@code kafka_coordinator_group_groupmetadatamanager_numgroups} and {@code _numgroups<state>} for the states
 *       stable, preparingrebalance, completingrebalance, empty (groups this broker coordinates).
 * </ul>
 *
 * Per-topic, per-partition and per-request series come from {@link BrokerCollector}. Every gauge reads the broker
 * anew, so it reports NaN before start-up and after shutdown.
 */
@ApplicationScoped
public class BrokerMeters {
    private final BrokerLifecycle lifecycle;
    private final MeterRegistry registry;
    private final Instance<PrometheusMeterRegistry> prometheus;

    @Inject
    public BrokerMeters(
            BrokerLifecycle lifecycle, MeterRegistry registry, Instance<PrometheusMeterRegistry> prometheus) {
        this.lifecycle = lifecycle;
        this.registry = registry;
        this.prometheus = prometheus;
    }

    void bind(@Observes StartupEvent event) {
        gauge(
                "kafka.server.delayedoperationpurgatory.purgatorysize",
                Broker::fetchPurgatorySize,
                "delayedOperation",
                "Fetch");
        gauge(
                "kafka.server.replicamanager.partitioncount",
                broker -> broker.partitions().all().size());
        gauge("kafka.server.replicamanager.leadercount", BrokerMeters::leaders);
        gauge("kafka.server.replicamanager.underreplicatedpartitions", BrokerMeters::underReplicated);
        gauge("kafka.controller.kafkacontroller.activecontrollercount", broker -> 1);
        gauge("kafka.controller.kafkacontroller.offlinepartitionscount", BrokerMeters::offline);
        gauge(
                "kafka.server.zookeeperclient.connected",
                broker -> broker.health().zookeeperConnected() ? 1 : 0);
        gauge("kafka.coordinator.group.groupmetadatamanager.numgroups", broker -> groups(broker, null));
        for (GroupState state : GroupState.values()) {
            if (state == GroupState.DEAD) {
                continue; // a dead group is gone: never listed
            }
            gauge(
                    "kafka.coordinator.group.groupmetadatamanager.numgroups"
                            + state.kafkaName().toLowerCase(Locale.ROOT),
                    broker -> groups(broker, state));
        }
        if (prometheus.isResolvable()) {
            prometheus.get().getPrometheusRegistry().register(new BrokerCollector(lifecycle::broker));
        }
    }

    private void gauge(String name, ToDoubleFunction<Broker> value, String... tags) {
        Gauge.builder(name, lifecycle, l -> read(l.broker(), value))
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    private static double read(Optional<Broker> broker, ToDoubleFunction<Broker> value) {
        return broker.isPresent() ? value.applyAsDouble(broker.get()) : Double.NaN;
    }

    private static double leaders(Broker broker) {
        int leaders = 0;
        for (Partition partition : broker.partitions().all()) {
            if (partition.isLeader()) {
                leaders++;
            }
        }
        return leaders;
    }

    private static double underReplicated(Broker broker) {
        int count = 0;
        for (Partition partition : broker.partitions().all()) {
            if (partition.isLeader()
                    && partition.state().isr().size()
                            < partition.state().replicas().size()) {
                count++;
            }
        }
        return count;
    }

    /** Groups this broker coordinates, in {@code state} or all when null. */
    private static double groups(Broker broker, GroupState state) {
        int count = 0;
        for (GroupListing group : broker.groups().listGroups(Set.of()).getValue()) {
            if (state == null || state.kafkaName().equals(group.state())) {
                count++;
            }
        }
        return count;
    }

    private static double offline(Broker broker) {
        int count = 0;
        for (dev.skein.broker.cluster.TopicDescription topic : broker.metadata().topics()) {
            for (dev.skein.broker.cluster.PartitionState state :
                    topic.partitions().values()) {
                if (state.leader() < 0) {
                    count++;
                }
            }
        }
        return count;
    }
}
