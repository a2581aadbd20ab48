package dev.skein.operator.cluster;

import dev.skein.testkit.SkeinTestBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A real Skein broker with {@code broker.id=1} ({@link SkeinTestBroker}) for the scale-down guard: the operator reaches it
 * through {@code skein.operator.bootstrap-servers}. Stopped and its directory deleted when the test class ends.
 */
public class BrokerOneResource implements QuarkusTestResourceLifecycleManager {
    static final int BROKER_ID = 1;

    private SkeinTestBroker broker;

    @Override
    public Map<String, String> start() {
        try {
            broker = SkeinTestBroker.startInTempDir(java.util.Map.of("broker.id", String.valueOf(BROKER_ID)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("skein.operator.bootstrap-servers", broker.bootstrap());
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
    }
}
