package dev.skein.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigValue;

/**
 * Assembles the Kafka-style property map a {@link dev.skein.broker.config.BrokerConfig} is built from. Sources, later
 * wins:
 *
 * <ol>
 *   <li>the defaults declared by {@code BrokerConfig} (applied by {@code BrokerConfig.from}, not here);
 *   <li>the {@code .properties} file named by the Quarkus config key {@value #CONFIG_FILE_KEY}, if set;
 *   <li>every MicroProfile Config property named {@value #PREFIX}{@code <key>}, with the prefix stripped
 *       ({@code -Dkafka.log.dirs=/x} becomes {@code log.dirs=/x}).
 * </ol>
 *
 * <p>Values are passed through as strings; validation is {@code BrokerConfig}'s job. Stateless.
 */
public final class BrokerProperties {
    /** Quarkus config key naming an optional Kafka-style {@code server.properties} file. */
    public static final String CONFIG_FILE_KEY = "skein.config-file";
    /** Prefix under which MicroProfile Config carries broker keys. */
    public static final String PREFIX = "kafka.";

    private BrokerProperties() {}

    /** Reads both sources from {@code config}. */
    public static Map<String, String> from(Config config) {
        Optional<Path> file =
                config.getOptionalValue(CONFIG_FILE_KEY, String.class).map(Path::of);
        Map<String, String> fileProps = file.isPresent() ? readFile(file.get()) : Map.of();
        return merge(fileProps, prefixed(config));
    }

    /** The properties of a Kafka-style {@code .properties} file (ISO-8859-1 escapes as {@link Properties} reads). */
    public static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new StartupFailure(CONFIG_FILE_KEY + ": file " + file.toAbsolutePath() + " does not exist");
        } catch (IOException e) {
            throw new StartupFailure(CONFIG_FILE_KEY + ": cannot read " + file.toAbsolutePath() + ": " + e);
        }
        Map<String, String> map = new TreeMap<>();
        for (String name : props.stringPropertyNames()) {
            map.put(name, props.getProperty(name).trim());
        }
        return map;
    }

    /** Every {@value #PREFIX}-prefixed property of {@code config}, prefix stripped. */
    public static Map<String, String> prefixed(Config config) {
        Map<String, String> map = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
                ConfigValue value = config.getConfigValue(name);
                // An empty value is a deliberate override (e.g. advertised.listeners=), so keep it.
                if (value.getValue() != null) {
                    map.put(name.substring(PREFIX.length()), value.getValue());
                }
            }
        }
        return map;
    }

    /** {@code base} overlaid with {@code overrides}. */
    public static Map<String, String> merge(Map<String, String> base, Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(base);
        merged.putAll(overrides);
        return merged;
    }
}
