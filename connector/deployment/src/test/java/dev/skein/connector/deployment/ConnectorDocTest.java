package dev.skein.connector.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/connector.md embeds the attribute tables that SmallRye's annotation processor generates from the
 * {@code @ConnectorAttribute} declarations; this fails when an attribute changed and the doc was not regenerated.
 */
class ConnectorDocTest {
    @Test
    void attributeTablesMatchTheDeclaredAttributes() throws IOException {
        String doc = Files.readString(Path.of("../../docs/connector.md"));
        for (String direction : new String[] {"incoming", "outgoing"}) {
            String generated =
                    generated("META-INF/connector/skein-" + direction + ".md").strip();
            String start = "<!-- generated: skein-" + direction + " -->";
            String end = "<!-- end: skein-" + direction + " -->";
            String embedded = doc.substring(doc.indexOf(start) + start.length(), doc.indexOf(end))
                    .strip();
            assertThat(embedded)
                    .as("docs/connector.md %s table; copy %s from skein-connector's jar", direction, generated)
                    .isEqualTo(generated);
        }
    }

    private static String generated(String resource) throws IOException {
        try (InputStream in = ConnectorDocTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
