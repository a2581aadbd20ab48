package org.acme;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import dev.skein.connector.fault.FailureStrategy;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code failure-strategy=quarantine}: an application-defined failure strategy that keeps nacked records. */
@ApplicationScoped
@Identifier("quarantine")
public class Quarantine implements FailureStrategy.Factory {
    private final List<String> records = new CopyOnWriteArrayList<>();

    @Override
    public FailureStrategy create(SkeinConnectorIncomingConfiguration config, FailureStrategy.Resources resources) {
        return (record, reason) -> {
            records.add(new String(record.value(), StandardCharsets.UTF_8) + ": " + reason.getMessage());
            return CompletableFuture.completedFuture(null);
        };
    }

    /** "value: reason" of each nacked record. */
    public List<String> records() {
        return List.copyOf(records);
    }
}
