package dev.skein.operator.topic;

import dev.skein.testkit.SkeinTestBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Starts a {@link SkeinTestBroker} before Quarkus, points the operator at it ({@code skein.operator.bootstrap-servers}),
 * makes the Topic controller re-check every resource every two seconds so drift is caught quickly, shortens the Admin
 * timeout and the retry backoff, and injects the broker into {@link SkeinTestBroker} fields of the test instance.
 */
public class SkeinBrokerResource implements QuarkusTestResourceLifecycleManager {
    private SkeinTestBroker broker;

    @Override
    public Map<String, String> start() {
        try {
            broker = SkeinTestBroker.startInTempDir(java.util.Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "skein.operator.bootstrap-servers",
                broker.bootstrap(),
                "skein.operator.admin-timeout",
                "2s",
                "skein.operator.retry-initial",
                "500ms",
                "skein.operator.retry-max",
                "2s",
                "quarkus.operator-sdk.controllers." + TopicReconciler.NAME + ".max-reconciliation-interval",
                "2s");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(broker, new TestInjector.MatchesType(SkeinTestBroker.class));
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
