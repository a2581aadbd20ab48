package dev.skein.compat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** Command lines for kcat (librdkafka); tests are skipped only when kcat is not installed (a dev box). */
final class Kcat {
    private Kcat() {}

    static void assumeInstalled() {
        Assumptions.assumeTrue(onPath("kcat"), "kcat is not on PATH (.ci/run installs it)");
    }

    static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
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
