package dev.skein.connector.impl;

import dev.skein.connector.SkeinConnectorIncomingConfiguration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Helpers for tests that open a {@link SkeinSource} against a real broker and collect what it emits. */
final class RealSources {
    private RealSources() {}

    /**
     * An incoming channel configuration reading strings from the start of {@code channel}'s topic, with automatic
     * commits effectively off (a 10-minute interval) so that only the connector's own commits count; {@code extra}
     * adds or overrides attributes.
     */
    static SkeinConnectorIncomingConfiguration stringChannel(
            String channel, String bootstrap, Map<String, String> extra) {
        Map<String, String> values = new HashMap<>();
        values.put("channel-name", channel);
        values.put("bootstrap.servers", bootstrap);
        values.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        values.put("auto.offset.reset", "earliest");
        values.put("auto.commit.interval.ms", "600000");
        values.putAll(extra);
        return new SkeinConnectorIncomingConfiguration(new MapConfig(values));
    }

    /** Subscribes with unbounded demand; every message the source emits lands in the returned queue. */
    static ConcurrentLinkedQueue<Message<?>> collectAll(SkeinSource source) {
        ConcurrentLinkedQueue<Message<?>> inbox = new ConcurrentLinkedQueue<>();
        source.publisher().subscribe(new Flow.Subscriber<Message<?>>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Message<?> item) {
                inbox.add(item);
            }

            @Override
            public void onError(Throwable throwable) {}

            @Override
            public void onComplete() {}
        });
        return inbox;
    }
}
