package dev.skein.compat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Command lines for kcat (librdkafka), and the check that an external program is installed: tests are skipped only
 * when it is not on {@code PATH} (a developer box); CI installs kcat and node.
 */
final class Kcat {
    private Kcat() {}

    static void assumeInstalled() {
        Assumptions.assumeTrue(onPath("kcat"), "kcat is not on PATH (.ci/run installs it)");
    }

    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    static List<String> command(String bootstrap, String... args) {
        List<String> command = new ArrayList<>(List.of("kcat", "-b", bootstrap));
        command.addAll(List.of(args));
        return command;
    }
}
