package org.acme;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import dev.skein.connector.commit.CommitStrategy;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code commit-strategy=every-ack}: an application-defined commit strategy that commits after every ack. */
@ApplicationScoped
@Identifier("every-ack")
public class EveryAck implements CommitStrategy.Factory {
    private final List<String> channels = new CopyOnWriteArrayList<>();

    @Override
    public CommitStrategy create(SkeinConnectorIncomingConfiguration config) {
        channels.add(config.getChannel());
        return nowMs -> true;
    }

    /** The channel of each consumer this factory made a strategy for. */
    public List<String> channels() {
        return List.copyOf(channels);
    }
}
