package dev.skein.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the curl examples of {@code docs/admin-api.md} against the broker, in document order: each fenced {@code sh}
 * block must exit 0, and an {@code output} block right after it must be contained in what it printed.
 */
@QuarkusTest
@TestProfile(EphemeralBrokerProfile.class)
class AdminApiDocTest {
    private static final Path DOC = Path.of("../../docs/admin-api.md");
    private static final long BLOCK_TIMEOUT_SECONDS = 60;

    /** A command block and the output the document says it prints (null when it says nothing). */
    record Example(int line, String script, String expectedOutput) {}

    @Test
    void curlExamplesOfTheDocumentWorkAsShown() throws Exception {
        List<Example> examples = examples(Files.readAllLines(DOC, StandardCharsets.UTF_8));
        assertThat(examples).hasSizeGreaterThan(10);
        for (Example example : examples) {
            String script = example.script().replace("localhost:8080", "localhost:" + RestAssured.port);
            Process process = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script)
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(BLOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("example at line %d finished", example.line())
                    .isTrue();
            assertThat(process.exitValue())
                    .as("exit status of the example at line %d:%n%s%nprinted:%n%s", example.line(), script, output)
                    .isZero();
            if (example.expectedOutput() != null) {
                assertThat(output)
                        .as("output of the example at line %d", example.line())
                        .contains(example.expectedOutput().strip());
            }
        }
    }

    static List<Example> examples(List<String> lines) throws IOException {
        List<Example> examples = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            if (!lines.get(i).strip().equals("```sh")) {
                i++;
                continue;
            }
            int start = i + 1;
            StringBuilder script = new StringBuilder();
            i = start;
            while (!lines.get(i).strip().equals("```")) {
                script.append(lines.get(i)).append('\n');
                i++;
            }
            i++;
            int next = i;
            while (next < lines.size() && lines.get(next).isBlank()) {
                next++;
            }
            String expected = null;
            if (next < lines.size() && lines.get(next).strip().equals("```output")) {
                StringBuilder output = new StringBuilder();
                next++;
                while (!lines.get(next).strip().equals("```")) {
                    output.append(lines.get(next)).append('\n');
                    next++;
                }
                expected = output.toString();
                i = next + 1;
            }
            examples.add(new Example(start, script.toString(), expected));
        }
        return examples;
    }
}
