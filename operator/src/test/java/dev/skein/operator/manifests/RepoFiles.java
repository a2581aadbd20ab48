package dev.skein.operator.manifests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository's {@code crds/} and {@code deploy/} directories as the tests read them (tests run in operator/). */
final class RepoFiles {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path CRDS = ROOT.resolve("crds");
    static final Path DEPLOY = ROOT.resolve("deploy");
    static final Path GENERATED_CRDS = Path.of("target", "kubernetes").toAbsolutePath();
    /** Suffix of the CRD files the operator SDK generates for this API group. */
    static final String CRD_SUFFIX = ".skein.dev-v1.yml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RepoFiles() {}

    /** Every {@code .yaml}/{@code .yml} file below {@code dir}, sorted. */
    static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The documents of a (possibly multi-document) YAML file; empty documents are skipped. */
    static List<JsonNode> documents(Path file) {
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            var values = YAML.readValues(parser, JsonNode.class);
            while (values.hasNext()) {
                JsonNode doc = values.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
