package org.acme;

import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/** words -> upper-casing processor -> upper -> collector, all through Skein topics. */
@ApplicationScoped
public class Pipeline {
    static final int WORDS = 10;
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
    public void collect(String word) {
        received.add(word);
    }

    public List<String> received() {
        return List.copyOf(received);
    }
}
