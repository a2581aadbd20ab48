package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Dev Services broker process outside Quarkus: its lifetime (it dies with whoever started it, whichever way) and
 * shared mode (a broker another JVM published is found, reused and left running). Each test uses its own state
 * directory, so nothing it publishes is seen by other test runs on the machine.
 */
class DevBrokerProcessTest {
    private Path stateDir;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void createStateDir() throws IOException {
        stateDir = Files.createTempDirectory("skein-devservices-test");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : started) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        DevBrokerDistribution.deleteTree(stateDir);
    }

    @Test
    void ownedBrokerServesUntilClosed() {
        DevBrokerProcess broker = new DevBrokerProcess(new DevBrokerSettings(0, 1, false, "owned"), stateDir);
        broker.start();
        long pid = broker.childPid().orElseThrow();
        assertThat(accepts(broker.getConnectionInfo())).isTrue();

        broker.close();

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("the child JVM is gone after close()")
                .isFalse();
        assertThat(accepts(broker.getConnectionInfo())).isFalse();
    }

    @Test
    void brokerExitsWhenItsParentsPipeCloses() throws Exception {
        Process child = launchChild(List.of());
        String bootstrap = awaitReady(child);
        assertThat(accepts(bootstrap)).isTrue();

        child.getOutputStream().close(); // what the OS does when the parent JVM dies, even by kill -9

        assertThat(child.waitFor(30, TimeUnit.SECONDS))
                .as("exited at end of input")
                .isTrue();
        assertThat(accepts(bootstrap)).isFalse();
    }

    @Test
    void sharedBrokerOfAnotherJvmIsReusedLeftRunningAndDiesWithItsOwner() throws Exception {
        Process owner = start(new ProcessBuilder("sleep", "600"));
        Path entry = stateDir.resolve("shared.properties");
        String sha256 = distribution().sha256();
        Process child =
                launchChild(List.of("--parent-pid=" + owner.pid(), "--registry=" + entry, "--distribution=" + sha256));
        String bootstrap = awaitReady(child);
        assertThat(entry).exists();

        DevBrokerProcess borrower = new DevBrokerProcess(new DevBrokerSettings(0, 1, true, "shared"), stateDir);
        borrower.start();
        assertThat(borrower.getConnectionInfo()).isEqualTo(bootstrap);
        assertThat(borrower.childPid()).as("no broker of its own").isEmpty();
        borrower.close();
        assertThat(accepts(bootstrap)).as("a borrowed broker stays up").isTrue();

        SharedBrokerRegistry registry = new SharedBrokerRegistry(stateDir, "shared");
        assertThat(registry.liveBroker(sha256, new DevBrokerSettings(0, 3, true, "shared")))
                .as("not reused with other settings")
                .isEmpty();
        assertThat(registry.liveBroker("another-broker-build", new DevBrokerSettings(0, 1, true, "shared")))
                .as("not reused from another broker build")
                .isEmpty();

        owner.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS))
                .as("exited with its owner")
                .isTrue();
        await().atMost(Duration.ofSeconds(10))
                .alias("it removed its registry entry")
                .until(() -> !Files.exists(entry));
    }

    private DevBrokerDistribution distribution() {
        return DevBrokerDistribution.extract(getClass().getClassLoader(), stateDir.resolve("dist"));
    }

    private Process launchChild(List<String> extraArguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                String.join(
                        java.io.File.pathSeparator,
                        distribution().classPath().stream().map(Path::toString).toList()),
                DevBrokerDistribution.MAIN_CLASS,
                "--port=0",
                "--partitions=1"));
        command.addAll(extraArguments);
        return start(new ProcessBuilder(command)
                .redirectError(stateDir.resolve("child.log").toFile()));
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static String awaitReady(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).startsWith(DevBrokerProcess.READY);
        return line.substring(DevBrokerProcess.READY.length()).trim();
    }

    private static boolean accepts(String bootstrap) {
        int colon = bootstrap.lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(
                            bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))),
                    2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
