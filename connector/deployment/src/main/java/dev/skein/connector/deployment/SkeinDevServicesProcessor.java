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
import java.util.TreeSet;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Dev Services: in dev and test mode, when some {@code skein} channel has no {@code bootstrap.servers} (neither on the
 * channel, nor {@code mp.messaging.connector.skein.bootstrap.servers}, nor {@code skein.bootstrap.servers}), start an
 * {@link EmbeddedSkeinBroker} in this JVM and point {@code skein.bootstrap.servers} at it. No container runtime is
 * involved. The broker lives in the build-time class loader, so production applications never carry broker code.
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
        EmbeddedSkeinBroker.DevServicesSettings settings = new EmbeddedSkeinBroker.DevServicesSettings(
                config.devservices().port(), config.devservices().topicPartitions());
        Set<String> topics = topicsOf(skeinChannels);
        log.infof(
                "Dev Services for Skein: embedded broker for channels %s",
                skeinChannels.stream()
                        .map(ConnectorManagedChannelBuildItem::getName)
                        .toList());
        return Optional.of(DevServicesResultBuildItem.<EmbeddedSkeinBroker>owned()
                .feature(SkeinConnectorProcessor.FEATURE)
                .serviceName("skein")
                .serviceConfig(settings)
                .startable(() -> new EmbeddedSkeinBroker(settings))
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
