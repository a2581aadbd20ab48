package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Keeps docs/compatibility.md true: every {@code SomeIT#method} it cites is a test of this suite, and every test of
 * the suite is cited (so a new scenario lands in the matrix and a removed one leaves it).
 */
class CompatibilityDocIT {
    private static final List<Class<?>> SUITE = List.of(
            KcatIT.class,
            KcatGroupIT.class,
            KafkajsIT.class,
            CliToolsIT.class,
            PerfToolsIT.class,
            KafkaStreamsIT.class,
            KafkaStreamsEosIT.class,
            JavaClientCornerCasesIT.class,
            TransactionsIT.class,
            ExactlyOnceLoopIT.class,
            TransactionsAcrossBrokerCrashesIT.class);
    private static final Pattern CITATION = Pattern.compile("`([A-Za-z]+IT)#([A-Za-z0-9]+)`");

    @Test
    void matrixCitesExactlyTheTestsOfTheSuite() throws IOException {
        String doc = Files.readString(docPath());
        Set<String> cited = new TreeSet<>();
        Matcher matcher = CITATION.matcher(doc);
        while (matcher.find()) {
            cited.add(matcher.group(1) + "#" + matcher.group(2));
        }
        Set<String> tests = new TreeSet<>();
        for (Class<?> testClass : SUITE) {
            for (Method method : testClass.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class) || method.isAnnotationPresent(ParameterizedTest.class)) {
                    tests.add(testClass.getSimpleName() + "#" + method.getName());
                }
            }
        }
        assertThat(cited).as("tests cited in %s", docPath()).isEqualTo(tests);
    }

    @Test
    void suiteListsEveryTestClassOfThePackage() throws IOException {
        Path sources = docPath()
                .getParent()
                .resolve("../integration-tests/src/test/java/dev/skein/compat")
                .normalize();
        try (var files = Files.list(sources)) {
            Set<String> classes = new TreeSet<>(files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith("IT.java") && !name.equals("CompatibilityDocIT.java"))
                    .map(name -> name.substring(0, name.length() - ".java".length()))
                    .toList());
            assertThat(SUITE.stream().map(Class::getSimpleName)).containsExactlyInAnyOrderElementsOf(classes);
        }
    }

    private static Path docPath() {
        return Path.of(System.getProperty("skein.compat.doc", "../docs/compatibility.md"));
    }
}
