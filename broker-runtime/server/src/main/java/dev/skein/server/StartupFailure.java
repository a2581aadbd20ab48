package dev.skein.server;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * A start-up failure the operator can fix from the message alone (invalid key, port in use, unreadable file).
 * {@link #toQuarkus()} turns it into a Quarkus {@link ConfigurationException}, whose message Quarkus prints as one
 * line on stderr before exiting with status 1 — no stack trace burying the cause. Failures that indicate a bug are
 * not wrapped in this and keep their stack trace.
 */
public final class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message);
    }

    /** The exception to throw from a start-up observer: Quarkus prints its message alone and exits with status 1. */
    public ConfigurationException toQuarkus() {
        return new ConfigurationException("Skein cannot start: " + getMessage());
    }
}
