package dev.skein.operator.annotations;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;

/**
 * The annotations a user sets on any Skein custom resource (Topic, SkeinCluster) to keep the operator's hands off it.
 * Values are compared case-insensitively; any other value (or none) means the default, reconciled.
 *
 * <ul>
 *   <li>{@value #MANAGED} {@code "false"}: the operator stops managing the resource;
 *   <li>{@value #PAUSE_RECONCILIATION} {@code "true"}: no change is made until the annotation is removed.
 * </ul>
 *
 * What each resource still does in those cases (status, deletion) is up to its reconciler.
 */
public final class ControlAnnotations {
    public static final String MANAGED = "skein.dev/managed";
    public static final String PAUSE_RECONCILIATION = "skein.dev/pause-reconciliation";

    private ControlAnnotations() {}

    public static boolean unmanaged(HasMetadata resource) {
        return "false".equalsIgnoreCase(value(resource, MANAGED));
    }

    public static boolean paused(HasMetadata resource) {
        return "true".equalsIgnoreCase(value(resource, PAUSE_RECONCILIATION));
    }

    /** The annotation {@code key} of {@code resource}, or null. */
    public static String value(HasMetadata resource, String key) {
        Map<String, String> annotations = resource.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(key);
    }
}
