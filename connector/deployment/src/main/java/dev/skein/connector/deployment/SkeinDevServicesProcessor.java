package dev.skein.connector.deployment;

import dev.skein.connector.SkeinConnector;
import io.quarkus.deployment.IsDevServicesSupportedByLaunchMode;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.DevServicesResultBuildItem;
import io.quarkus.deployment.dev.devservices.DevServicesConfig;
import io.quarkus.smallrye.reactivemessaging.deployment.items.ConnectorManagedChannelBuildItem;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Dev Services: in dev and test mode, when some {@code skein} channel has no {@code bootstrap.servers} (neither on the
 * channel, nor {@code mp.messaging.connector.skein.bootstrap.servers}, nor {@code skein.bootstrap.servers}), start a
 * {@link DevBrokerProcess} (a broker in a child JVM, or a shared one another JVM started) and point
 * {@code skein.bootstrap.servers} at it. No container runtime is involved, and no broker class is on any class path
 * of the application: the broker's jars travel as opaque resources of {@code skein-connector-dev-broker}.
 */
class SkeinDevServicesProcessor {
    private static final Logger log = Logger.getLogger(SkeinDevServicesProcessor.class);
    static final String BOOTSTRAP_ALIAS = "skein.bootstrap.servers";

    @BuildStep(onlyIf = {IsDevServicesSupportedByLaunchMode.class, DevServicesConfig.Enabled.class})
    Optional<DevServicesResultBuildItem> embeddedBroker(
            SkeinBuildTimeConfig config, List<ConnectorManagedChannelBuildItem> channels) {
        if (!config.devservices().enabled().orElse(true)) {
            return Optional.empty();
        }
        List<ConnectorManagedChannelBuildItem> skeinChannels = channels.stream()
                .filter(channel -> SkeinConnector.NAME.equals(channel.getConnector()))
                .toList();
        if (skeinChannels.isEmpty() || bootstrapConfigured(skeinChannels)) {
            return Optional.empty();
        }
        SkeinBuildTimeConfig.DevServices devServices = config.devservices();
        DevBrokerSettings settings = new DevBrokerSettings(
                devServices.port().orElse(0),
                devServices.partitions(),
                devServices.shared(),
                devServices.serviceName());
        Map<String, Integer> topics = new TreeMap<>();
        topicsOf(skeinChannels).forEach(topic -> topics.put(topic, devServices.partitions()));
        topics.putAll(devServices.topicPartitions());
        log.debugf(
                "Dev Services for Skein: a broker for channels %s",
                skeinChannels.stream()
                        .map(ConnectorManagedChannelBuildItem::getName)
                        .toList());
        return Optional.of(DevServicesResultBuildItem.<DevBrokerProcess>owned()
                .feature(SkeinConnectorProcessor.FEATURE)
                .serviceName(devServices.serviceName())
                .serviceConfig(settings)
                .startable(() -> new DevBrokerProcess(settings))
                .configProvider(Map.of(BOOTSTRAP_ALIAS, broker -> broker.bootstrapFor(topics)))
                .build());
    }

    /** The topics the channels name (pattern subscriptions name none), created up front with the partition count. */
    private static Set<String> topicsOf(List<ConnectorManagedChannelBuildItem> channels) {
        Config config = ConfigProvider.getConfig();
        Set<String> topics = new TreeSet<>();
        for (ConnectorManagedChannelBuildItem channel : channels) {
            String prefix =
                    "mp.messaging." + (channel.isIncoming() ? "incoming." : "outgoing.") + channel.getName() + ".";
            if (config.getOptionalValue(prefix + "pattern", Boolean.class).orElse(false)) {
                continue;
            }
            Optional<String> list = config.getOptionalValue(prefix + "topics", String.class);
            if (list.isPresent()) {
                Arrays.stream(list.get().split(","))
                        .map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .forEach(topics::add);
            } else {
                topics.add(
                        config.getOptionalValue(prefix + "topic", String.class).orElse(channel.getName()));
            }
        }
        return topics;
    }

    private static boolean bootstrapConfigured(List<ConnectorManagedChannelBuildItem> channels) {
        Config config = ConfigProvider.getConfig();
        if (config.getOptionalValue(BOOTSTRAP_ALIAS, String.class).isPresent()
                || config.getOptionalValue("mp.messaging.connector.skein.bootstrap.servers", String.class)
                        .isPresent()) {
            return true;
        }
        return channels.stream().allMatch(channel -> config.getOptionalValue(
                        "mp.messaging." + (channel.isIncoming() ? "incoming." : "outgoing.") + channel.getName()
                                + ".bootstrap.servers",
                        String.class)
                .isPresent());
    }
}
