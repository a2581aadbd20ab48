package dev.skein.operator.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code server.properties} shared by every broker of a cluster, stored in the ConfigMap {@code <name>-config} and
 * read by the broker with {@code -Dskein.config-file}. Keys that differ per pod ({@code broker.id}, {@code
 * broker.rack}, {@code advertised.listeners}) are not in it: the container command sets them. Pure.
 *
 * @param text the file, keys sorted so that equal configurations render to equal bytes
 */
public record BrokerConfigFile(String text) {
    /** Key of the file in the ConfigMap. */
    public static final String FILE_NAME = "server.properties";
    /** Where the broker volume is mounted. */
    public static final String DATA_MOUNT = "/var/lib/skein";
    /** Partition logs live below the mount point so the volume's lost+found is not taken for a partition. */
    public static final String LOG_DIRS = DATA_MOUNT + "/data";

    /** Renders the file of {@code model}. */
    public static BrokerConfigFile render(ClusterModel model) {
        Map<String, String> props = new TreeMap<>(model.config());
        props.put("listeners", "PLAINTEXT://:" + model.plainPort());
        props.put("log.dirs", LOG_DIRS);
        props.put("zookeeper.connect", model.effectiveZookeeperConnect());
        StringBuilder text = new StringBuilder()
                .append("# Rendered by skein-operator for SkeinCluster ")
                .append(model.names().name())
                .append(
                        ". broker.id, broker.rack and advertised.listeners are set per pod by the container command.\n");
        props.forEach((k, v) -> text.append(escape(k, true))
                .append('=')
                .append(escape(v, false))
                .append('\n'));
        return new BrokerConfigFile(text.toString());
    }

    /** First 16 hex digits of the SHA-256 of the file: the pod-template annotation that rolls brokers on change. */
    public String hash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-256", e);
        }
    }

    /** Escapes as {@link java.util.Properties#load} reads back. */
    private static String escape(String s, boolean key) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '=', ':', '#', '!' -> out.append(key || i == 0 ? "\\" + c : String.valueOf(c));
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
