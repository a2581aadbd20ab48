package dev.skein.server.admin;

import dev.skein.broker.Broker;
import dev.skein.server.BrokerLifecycle;
import io.quarkus.arc.Arc;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** Kafka clients a test uses to cross-check the HTTP API, connected to the broker the Quarkus test app runs. */
final class KafkaTestClients {
    private KafkaTestClients() {}

    static Broker broker() {
        return Arc.container()
                .instance(BrokerLifecycle.class)
                .get()
                .broker()
                .orElseThrow(() -> new IllegalStateException("the broker is not running"));
    }

    static String bootstrap() {
        return "localhost:" + broker().port();
    }

    static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }
}
