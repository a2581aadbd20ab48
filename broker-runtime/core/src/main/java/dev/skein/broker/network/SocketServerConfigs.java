package dev.skein.broker.network;

import dev.skein.broker.common.config.ConfigDef;
import dev.skein.broker.common.config.ConfigDef.Type;
import dev.skein.broker.common.config.ConfigException;
import dev.skein.broker.common.config.ConfigValues;

/**
 * The broker keys of the network layer (Kafka's {@code SocketServerConfigs}): listeners, threads and the bounds on
 * what clients may make the broker hold. Declared once here; read with the typed methods below.
 */
public final class SocketServerConfigs {
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String SOCKET_REQUEST_MAX_BYTES = "socket.request.max.bytes";
    public static final String NUM_NETWORK_THREADS = "num.network.threads";
    public static final String NUM_IO_THREADS = "num.io.threads";
    // Bounded resources: what any client's requests may make the broker hold.
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    public static final String MAX_CONNECTIONS = "max.connections";
    public static final String MAX_CONNECTIONS_PER_IP = "max.connections.per.ip";
    public static final String CONNECTIONS_MAX_IDLE_MS = "connections.max.idle.ms";

    private SocketServerConfigs() {}

    /** Declares this layer's keys in {@code def}. */
    public static void define(ConfigDef def) {
        def.define(LISTENERS, Type.STRING, "PLAINTEXT://:9092", "Listener for the Kafka protocol")
                .define(ADVERTISED_LISTENERS, Type.STRING, "", "Listener given to clients, if not 'listeners'")
                .define(SOCKET_REQUEST_MAX_BYTES, Type.INT, 100 * 1024 * 1024, 1, "Largest request frame accepted")
                .define(NUM_NETWORK_THREADS, Type.INT, 2, 1, "Threads doing socket I/O")
                .define(NUM_IO_THREADS, Type.INT, 4, 1, "Threads handling requests")
                .define(
                        QUEUED_MAX_REQUEST_BYTES,
                        Type.LONG,
                        -1L,
                        -1,
                        "Request bytes held in memory at once, all connections together; -1 = a quarter of the heap")
                .define(MAX_CONNECTIONS, Type.INT, Integer.MAX_VALUE, 1, "Most client connections open at once")
                .define(MAX_CONNECTIONS_PER_IP, Type.INT, Integer.MAX_VALUE, 1, "Most connections from one address")
                .define(CONNECTIONS_MAX_IDLE_MS, Type.LONG, 600_000L, 1, "Close connections idle this long");
    }

    /**
     * Checks what single keys cannot: exactly one listener of a supported form, and a request memory pool that holds
     * at least one largest frame.
     *
     * @throws ConfigException naming the key
     */
    public static void validate(ConfigValues values) {
        listener(values);
        long queued = values.getLong(QUEUED_MAX_REQUEST_BYTES);
        int maxFrame = values.getInt(SOCKET_REQUEST_MAX_BYTES);
        if (queued == 0 || (queued > 0 && queued < maxFrame)) {
            throw new ConfigException(
                    QUEUED_MAX_REQUEST_BYTES,
                    String.valueOf(queued),
                    "must be -1 (a quarter of the heap) or at least " + SOCKET_REQUEST_MAX_BYTES + " (" + maxFrame
                            + ")");
        }
    }

    /** The one listener the broker binds. */
    public static Listener listener(ConfigValues values) {
        String text = values.getString(LISTENERS);
        if (text.contains(",")) {
            throw new ConfigException(LISTENERS, text, "exactly one listener is supported");
        }
        return Listener.parse(LISTENERS, text);
    }

    /** The advertised listener, or null to derive it from the bound address. */
    public static Listener advertisedListener(ConfigValues values) {
        String text = values.getString(ADVERTISED_LISTENERS);
        return text.isBlank() ? null : Listener.parse(ADVERTISED_LISTENERS, text);
    }

    /**
     * {@code queued.max.request.bytes}: bytes of requests held in memory at once. -1 (the default) means a quarter of
     * the JVM's maximum heap (at least 1 MiB): the rest of the heap stays for what requests turn into (responses,
     * index, producer and group state), so no mix of clients can exhaust it with request bytes. A frame larger than
     * the pool is refused like one above {@code socket.request.max.bytes}. An explicit value must be at least
     * {@code socket.request.max.bytes} (Kafka's rule), checked by {@link #validate}.
     */
    public static long queuedMaxRequestBytes(ConfigValues values) {
        long configured = values.getLong(QUEUED_MAX_REQUEST_BYTES);
        if (configured > 0) {
            return configured;
        }
        return Math.max(1024 * 1024, Runtime.getRuntime().maxMemory() / 4);
    }
}
