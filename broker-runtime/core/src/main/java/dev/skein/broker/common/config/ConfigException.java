package dev.skein.broker.common.config;

/** Invalid configuration: the message names the key, the value given and what is allowed. */
public final class ConfigException extends RuntimeException {
    private final String key;

    public ConfigException(String key, Object value, String allowed) {
        super("Invalid value '" + value + "' for configuration '" + key + "': " + allowed);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
