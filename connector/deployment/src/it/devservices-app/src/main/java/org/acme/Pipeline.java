package org.acme;

import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/**
 * words -> upper-casing processor -> upper -> collector, all through Skein topics. The collector refuses one word;
 * the application's own failure strategy ({@link Quarantine}) takes it, and its own commit strategy
 * ({@link EveryAck}) commits the channel's position.
 */
@ApplicationScoped
public class Pipeline {
    static final int WORDS = 10;
    static final String REFUSED = "WORD-3";
    private final List<String> received = new CopyOnWriteArrayList<>();

    @Outgoing("words-out")
    public Multi<String> words() {
        return Multi.createFrom().range(0, WORDS).map(i -> "word-" + i);
    }

    @Incoming("words-in")
    @Outgoing("upper-out")
    public String upper(String word) {
        return word.toUpperCase();
    }

    @Incoming("upper-in")
    public CompletionStage<Void> collect(Message<String> word) {
        if (REFUSED.equals(word.getPayload())) {
            return word.nack(new IllegalArgumentException("refused by the collector"));
        }
        received.add(word.getPayload());
        return word.ack();
    }

    public List<String> received() {
        return List.copyOf(received);
    }
}
