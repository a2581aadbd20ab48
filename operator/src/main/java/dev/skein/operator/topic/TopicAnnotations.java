package dev.skein.operator.topic;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * The annotations a user sets on a {@link Topic} to change what the operator does with it. Values are compared
 * case-insensitively; any other value means the default.
 *
 * <ul>
 *   <li>{@value #MANAGED} {@code "false"}: the operator neither changes nor deletes the Kafka topic (it still reports
 *       that in the status); the resource also stops claiming the topic, so another Topic may manage it.
 *   <li>{@value #PAUSE_RECONCILIATION} {@code "true"}: no change is made until the annotation is removed; deleting
 *       the resource meanwhile leaves the topic on the broker.
 *   <li>{@value #DELETION_POLICY} {@code "retain"}: deleting the resource leaves the topic on the broker (the default
 *       {@code "delete"} deletes it).
 * </ul>
 */
public final class TopicAnnotations {
    public static final String MANAGED = "skein.dev/managed";
    public static final String PAUSE_RECONCILIATION = "skein.dev/pause-reconciliation";
    public static final String DELETION_POLICY = "skein.dev/deletion-policy";
    public static final String RETAIN = "retain";

    private TopicAnnotations() {}

    public static boolean unmanaged(HasMetadata resource) {
        return "false".equalsIgnoreCase(annotation(resource, MANAGED));
    }

    public static boolean paused(HasMetadata resource) {
        return "true".equalsIgnoreCase(annotation(resource, PAUSE_RECONCILIATION));
    }

    public static boolean retainOnDelete(HasMetadata resource) {
        return RETAIN.equalsIgnoreCase(annotation(resource, DELETION_POLICY));
    }

    private static String annotation(HasMetadata resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
