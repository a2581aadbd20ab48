package dev.skein.operator.topic;

import dev.skein.operator.annotations.ControlAnnotations;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The Topic-only annotation a user sets to change what deleting a {@link Topic} does; the ones every resource honours
 * ({@code skein.dev/managed}, {@code skein.dev/pause-reconciliation}) are in {@link ControlAnnotations}. For a Topic,
 * {@code managed: "false"} also stops the resource claiming its topic (so another Topic may manage it), and deleting
 * an unmanaged or paused Topic leaves the topic on the broker. Values are compared case-insensitively.
 *
 * <ul>
 *   <li>{@value #DELETION_POLICY} {@code "retain"}: deleting the resource leaves the topic on the broker (the default
 *       {@code "delete"} deletes it).
 * </ul>
 */
public final class TopicAnnotations {
    public static final String DELETION_POLICY = "skein.dev/deletion-policy";
    public static final String RETAIN = "retain";

    private TopicAnnotations() {}

    public static boolean retainOnDelete(HasMetadata resource) {
        return RETAIN.equalsIgnoreCase(ControlAnnotations.value(resource, DELETION_POLICY));
    }
}
