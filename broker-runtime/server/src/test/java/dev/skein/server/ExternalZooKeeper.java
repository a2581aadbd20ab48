package dev.skein.server;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.curator.test.TestingServer;

/**
 * An external ZooKeeper (Curator {@link TestingServer}) for the broker under test, given to it as {@code
 * kafka.zookeeper.connect}. Tests get the server in a field annotated {@link Inject} so that they can stop and restart
 * it; {@link TestingServer#restart()} comes back on the same port with the same data.
 */
public class ExternalZooKeeper implements QuarkusTestResourceLifecycleManager {
    /** Marks the test field that receives the running {@link TestingServer}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface Inject {}

    private TestingServer server;

    @Override
    public Map<String, String> start() {
        try {
            Path target = Files.createDirectories(Path.of("target"));
            server = new TestingServer(
                    -1, Files.createTempDirectory(target, "skein-test-zk-").toFile(), true);
            Path dataDir = Files.createTempDirectory(target, "skein-test-data-");
            return Map.of(
                    "kafka.zookeeper.connect",
                    server.getConnectString(),
                    "kafka.zookeeper.session.timeout.ms",
                    "30000",
                    "kafka.listeners",
                    "PLAINTEXT://:0",
                    "kafka.log.dirs",
                    dataDir.toAbsolutePath().toString());
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the test ZooKeeper", e);
        }
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(Inject.class, TestingServer.class));
    }

    @Override
    public void stop() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
