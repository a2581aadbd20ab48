package dev.skein.server;

import dev.skein.broker.Broker;
import dev.skein.broker.common.config.ConfigException;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.network.Listener;
import dev.skein.broker.network.SocketServerConfigs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.BindException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Owns the one {@link Broker} of this process: starts it on Quarkus {@link StartupEvent} from the properties assembled
 * by {@link BrokerProperties}, and closes it on {@link ShutdownEvent} (SIGTERM, Ctrl-C). If the broker cannot start
 * because of something the operator can fix (invalid key, port in use, unusable data directory), start-up fails
 * with one line naming the key or port and the process exits with status 1.
 *
 * <p>Threading: start and stop run on the Quarkus main thread; {@link #broker()} may be called from any thread.
 */
@ApplicationScoped
public class BrokerLifecycle {
    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class);

    private final Config config;
    private volatile Broker broker;

    @Inject
    public BrokerLifecycle(Config config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            broker = start(BrokerProperties.from(config));
        } catch (StartupFailure e) {
            throw e.toQuarkus();
        }
        Listener listener = broker.config().listener();
        String host = listener.host().isEmpty() ? "localhost" : listener.host();
        LOG.infof(
                "Skein broker %d listening on %s://%s:%d (bootstrap.servers=%s:%d), data in %s",
                broker.config().brokerId(),
                listener.securityProtocol(),
                listener.host().isEmpty() ? "0.0.0.0" : listener.host(),
                broker.port(),
                host,
                broker.port(),
                broker.config().dataDir().toAbsolutePath().normalize());
    }

    void onStop(@Observes ShutdownEvent event) {
        Broker running = broker;
        if (running != null) {
            broker = null;
            running.close();
            LOG.info("Skein broker stopped");
        }
    }

    /** The running broker, or empty before start-up completed and after shutdown. */
    public Optional<Broker> broker() {
        return Optional.ofNullable(broker);
    }

    /**
     * Validates {@code props} and starts a broker from them, translating operator-fixable failures into a
     * {@link StartupFailure} with a one-line message.
     */
    static Broker start(Map<String, String> props) {
        BrokerConfig brokerConfig;
        try {
            brokerConfig = BrokerConfig.from(props);
        } catch (ConfigException e) {
            throw new StartupFailure(e.getMessage());
        }
        Set<String> unknown = unknownKeys(props);
        if (!unknown.isEmpty()) {
            // Kafka accepts keys of other components silently; a typo deserves at least a warning.
            LOG.warnf("Ignoring unknown broker configuration keys %s", unknown);
        }
        try {
            return Broker.start(brokerConfig);
        } catch (ConfigException e) {
            throw new StartupFailure(e.getMessage());
        } catch (BindException e) {
            throw new StartupFailure(describeBindFailure(brokerConfig, e));
        } catch (IOException e) {
            throw new StartupFailure("I/O error starting the broker with " + BrokerConfig.LOG_DIRS + "="
                    + brokerConfig.dataDir().toAbsolutePath() + ": " + e);
        }
    }

    /** The keys of {@code props} that no broker key definition declares, sorted. */
    static Set<String> unknownKeys(Map<String, String> props) {
        Set<String> unknown = new TreeSet<>();
        for (String key : props.keySet()) {
            if (!BrokerConfig.BROKER_CONFIG.contains(key)) {
                unknown.add(key);
            }
        }
        return unknown;
    }

    static String describeBindFailure(BrokerConfig brokerConfig, BindException e) {
        Listener listener = brokerConfig.listener();
        String host = listener.host().isEmpty() ? "" : listener.host() + ":";
        return "port " + host + listener.port() + " is already in use (" + SocketServerConfigs.LISTENERS + "="
                + brokerConfig.valueString(SocketServerConfigs.LISTENERS) + "): " + e.getMessage()
                + "; stop the other process or choose another port (./skein start --port N)";
    }
}
