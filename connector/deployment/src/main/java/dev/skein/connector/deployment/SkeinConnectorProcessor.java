package dev.skein.connector.deployment;

import dev.skein.connector.SkeinConnector;
import dev.skein.connector.commit.BuiltInCommitStrategies;
import dev.skein.connector.fault.BuiltInFailureStrategies;
import io.quarkus.arc.deployment.AdditionalBeanBuildItem;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.smallrye.reactivemessaging.deployment.items.ConnectorBuildItem;
import io.smallrye.reactive.messaging.annotations.ConnectorAttribute;
import java.util.Arrays;
import java.util.List;

/** Registers the {@code skein} connector bean and declares its attributes to Quarkus Messaging. */
class SkeinConnectorProcessor {
    static final String FEATURE = "skein-connector";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    /** The connector and the built-in strategy factories it looks up by {@code @Identifier}. */
    @BuildStep
    AdditionalBeanBuildItem connectorBeans() {
        AdditionalBeanBuildItem.Builder beans =
                AdditionalBeanBuildItem.builder().setUnremovable().addBeanClass(SkeinConnector.class);
        BuiltInCommitStrategies.BEANS.forEach(beans::addBeanClass);
        BuiltInFailureStrategies.BEANS.forEach(beans::addBeanClass);
        return beans.build();
    }

    /** Lets Quarkus attach channels to {@code skein} automatically when it is the only connector present. */
    @BuildStep
    void connectorAttributes(BuildProducer<ConnectorBuildItem> connectors) {
        List<ConnectorAttribute> attributes =
                Arrays.asList(SkeinConnector.class.getAnnotationsByType(ConnectorAttribute.class));
        connectors.produce(ConnectorBuildItem.createIncomingConnector(SkeinConnector.NAME, attributes));
        connectors.produce(ConnectorBuildItem.createOutgoingConnector(SkeinConnector.NAME, attributes));
    }
}
