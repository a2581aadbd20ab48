package dev.skein.connector.commit;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The built-in {@code commit-strategy} values as {@link CommitStrategy.Factory} beans. */
public final class BuiltInCommitStrategies {
    private BuiltInCommitStrategies() {}

    /** The bean classes, for the extension to register. */
    public static final List<Class<? extends CommitStrategy.Factory>> BEANS =
            List.of(Throttled.class, Latest.class, Ignore.class);

    /** Names of the built-ins, for error messages. */
    public static final List<String> NAMES = List.of("throttled", "latest", "ignore");

    /** The built-in named {@code name}, or null. */
    public static CommitStrategy.Factory named(String name) {
        return NAMES.contains(name) ? config -> create(name, config) : null;
    }

    private static CommitStrategy create(String name, SkeinConnectorIncomingConfiguration config) {
        return CommitStrategy.named(
                name,
                config.getChannel(),
                config.getAutoCommitIntervalMs(),
                config.getThrottledUnprocessedRecordMaxAgeMs());
    }

    /** {@code throttled}: commits every {@code auto.commit.interval.ms}. */
    @ApplicationScoped
    @Identifier("throttled")
    public static class Throttled implements CommitStrategy.Factory {
        @Override
        public CommitStrategy create(SkeinConnectorIncomingConfiguration config) {
            return BuiltInCommitStrategies.create("throttled", config);
        }
    }

    /** {@code latest}: commits on the poll-loop iteration after an acknowledgement. */
    @ApplicationScoped
    @Identifier("latest")
    public static class Latest implements CommitStrategy.Factory {
        @Override
        public CommitStrategy create(SkeinConnectorIncomingConfiguration config) {
            return BuiltInCommitStrategies.create("latest", config);
        }
    }

    /** {@code ignore}: the connector never commits. */
    @ApplicationScoped
    @Identifier("ignore")
    public static class Ignore implements CommitStrategy.Factory {
        @Override
        public CommitStrategy create(SkeinConnectorIncomingConfiguration config) {
            return BuiltInCommitStrategies.create("ignore", config);
        }
    }
}
