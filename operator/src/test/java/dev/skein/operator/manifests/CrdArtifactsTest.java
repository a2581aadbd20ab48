package dev.skein.operator.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed {@code crds/} are exactly what the build generates from the Java types. A {@code @QuarkusTest} so that
 * the Quarkus build (which writes {@code operator/target/kubernetes/*.skein.dev-v1.yml}) has run before it checks.
 * Refresh with {@code cd operator && mvn -o test -Dtest=CrdArtifactsTest -Dskein.crds.regenerate=true}.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class CrdArtifactsTest {
    private static final String REFRESH = "refresh with: cd operator && mvn -o test -Dtest=CrdArtifactsTest"
            + " -Dskein.crds.regenerate=true (copies operator/target/kubernetes/*" + RepoFiles.CRD_SUFFIX
            + " to crds/)";

    @Test
    void committedCrdsMatchTheGeneratedOnes() throws IOException {
        List<Path> generated = generated();
        assertThat(generated)
                .as("CRDs generated in " + RepoFiles.GENERATED_CRDS)
                .isNotEmpty();
        if (Boolean.getBoolean("skein.crds.regenerate")) {
            Files.createDirectories(RepoFiles.CRDS);
            for (Path crd : generated) {
                Files.copy(crd, RepoFiles.CRDS.resolve(crd.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Path crd : generated) {
            Path committed = RepoFiles.CRDS.resolve(crd.getFileName());
            assertThat(committed)
                    .as("crds/" + crd.getFileName() + " is missing; " + REFRESH)
                    .exists();
            assertThat(RepoFiles.read(committed))
                    .as("crds/" + crd.getFileName() + " differs from the generated CRD; " + REFRESH)
                    .isEqualTo(RepoFiles.read(crd));
        }
        List<String> generatedNames =
                generated.stream().map(p -> p.getFileName().toString()).toList();
        assertThat(RepoFiles.yamlFiles(RepoFiles.CRDS))
                .as("every file in crds/ comes from a Java type; delete the stale ones")
                .allSatisfy(
                        p -> assertThat(generatedNames).contains(p.getFileName().toString()));
    }

    private static List<Path> generated() throws IOException {
        try (var files = Files.list(RepoFiles.GENERATED_CRDS)) {
            return files.filter(p -> p.getFileName().toString().endsWith(RepoFiles.CRD_SUFFIX))
                    .sorted()
                    .toList();
        }
    }
}
