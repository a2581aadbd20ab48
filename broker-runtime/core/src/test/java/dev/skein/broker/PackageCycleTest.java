package dev.skein.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Imports between the packages of {@code src/main/java} run one way: no two {@code dev.skein.broker.*} packages depend
 * on each other, directly or through others. Dependencies are read from the source (imports, static imports and
 * fully qualified names in code), so the check needs no compiled classes; comments are skipped.
 */
class PackageCycleTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.skein\\.broker(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /**
     * Cycles known and accepted for now, as package sets, each with the reason. A new cycle fails the build, and so
     * does an entry here that no longer matches a cycle.
     */
    private static final Map<Set<String>, String> ALLOWED = Map.of();

    @Test
    void packagesOfMainSourcesFormNoCycle() throws IOException {
        Map<String, Set<String>> graph = dependencies(SOURCES);
        assertThat(graph)
                .as("packages scanned under %s", SOURCES.toAbsolutePath())
                .hasSizeGreaterThan(5);
        List<Set<String>> cycles = stronglyConnected(graph);
        assertThat(cycles)
                .as("package cycles (a package set whose members reach each other); edges: %s", graph)
                .containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
    }

    @Test
    void findsACycleWhenTwoPackagesImportEachOther() {
        Map<String, Set<String>> graph = new TreeMap<>();
        graph.put("a", Set.of("b"));
        graph.put("b", Set.of("c"));
        graph.put("c", Set.of("a"));
        graph.put("d", Set.of("a"));
        assertThat(stronglyConnected(graph)).containsExactly(Set.of("a", "b", "c"));
    }

    /** Package to the other {@code dev.skein.broker} packages its classes refer to. */
    static Map<String, Set<String>> dependencies(Path root) throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        for (Path file : files) {
            String source = withoutComments(Files.readString(file, StandardCharsets.UTF_8));
            Matcher pkg = PACKAGE.matcher(source);
            if (!pkg.find()) {
                continue;
            }
            String from = pkg.group(1);
            Set<String> targets = graph.computeIfAbsent(from, k -> new TreeSet<>());
            Matcher ref = REFERENCE.matcher(source.substring(pkg.end()));
            while (ref.find()) {
                if (!ref.group(1).equals(from)) {
                    targets.add(ref.group(1));
                }
            }
        }
        return graph;
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ");
    }

    /** Tarjan's algorithm: the strongly connected components with more than one package. */
    static List<Set<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> components = new ArrayList<>();
        for (String node : graph.keySet()) {
            if (!index.containsKey(node)) {
                visit(node, graph, index, low, stack, components);
            }
        }
        return components;
    }

    private static void visit(
            String node,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            List<Set<String>> components) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                visit(next, graph, index, low, stack, components);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (stack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) {
                components.add(component);
            }
        }
    }
}
