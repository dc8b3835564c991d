package dev.animagine.core.architecture;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's package structure, read from its compiled classes with {@code jdeps}: no dependency
 * cycle between packages, and nothing of the benchmark and developer tools in the engine's jar.
 */
class PackageStructureTest {
    private static final Path CLASSES = Path.of("target/classes");
    private static final Pattern EDGE = Pattern.compile("^\\s+(dev\\.animagine\\.\\S+)\\s+->\\s+(dev\\.animagine\\.\\S+)\\s");

    static Map<String, Set<String>> packageGraph() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps is not in this JDK"));
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none", "--multi-release", "25",
                CLASSES.toString());
        assertThat(rc).as(out.toString()).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().lines().toList()) {
            Matcher m = EDGE.matcher(line);
            if (!m.find()) continue;
            graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            if (!m.group(1).equals(m.group(2))) graph.get(m.group(1)).add(m.group(2));
        }
        return graph;
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Set<String>> graph = packageGraph();
        assertThat(graph).as("jdeps found the engine's packages").containsKeys("dev.animagine.core.tensor", "dev.animagine.core.unet");
        assertThat(cycles(graph)).as("package cycles").isEmpty();
    }

    @Test
    void theCycleSearchFindsCycles() {
        Map<String, Set<String>> g = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of());
        assertThat(cycles(g)).containsExactly(List.of("a", "b", "c"));
        assertThat(cycles(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of()))).isEmpty();
    }

    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        List<List<String>> cycles = new ArrayList<>();
        for (String start : new TreeSet<>(graph.keySet())) findCycle(graph, start, new ArrayList<>(List.of(start)), cycles);
        return cycles;
    }

    /** Depth-first from {@code path}'s last package; records a path that returns to its first. */
    private static void findCycle(Map<String, Set<String>> graph, String start, List<String> path, List<List<String>> cycles) {
        if (cycles.size() > 5) return;
        for (String next : graph.getOrDefault(path.getLast(), Set.of())) {
            if (next.equals(start)) {
                cycles.add(List.copyOf(path));
            } else if (!path.contains(next) && next.compareTo(start) > 0) {
                path.add(next);
                findCycle(graph, start, path, cycles);
                path.removeLast();
            }
        }
    }

    @Test
    void theEngineCarriesNoBenchmarkOrDeveloperTools() throws Exception {
        List<String> classes;
        try (Stream<Path> s = Files.walk(CLASSES)) {
            classes = s.filter(p -> p.toString().endsWith(".class")).map(p -> CLASSES.relativize(p).toString()).toList();
        }
        assertThat(classes).isNotEmpty();
        assertThat(classes).noneMatch(c -> c.contains("/bench/") || c.contains("/dev/animagine/core/dev/"))
                .noneMatch(c -> c.matches(".*/(PeakFlops|PipelineBenchmark|ProcessMemory|RandomCheckpoint|RandomWeights)(\\$.*)?\\.class"));
    }

    /** Public types of the engine, by their class files. */
    static List<Class<?>> publicClasses() throws Exception {
        List<Class<?>> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(CLASSES)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, PackageStructureTest.class.getClassLoader());
                if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) out.add(c);
            }
        }
        return out;
    }

    @Test
    void noJsonLibraryTypeInThePublicApi() throws Exception {
        List<String> leaks = new ArrayList<>();
        List<Class<?>> classes = publicClasses();
        assertThat(classes).hasSizeGreaterThan(50);
        for (Class<?> c : classes) {
            for (var m : c.getDeclaredMethods()) {
                if (!java.lang.reflect.Modifier.isPublic(m.getModifiers()) && !java.lang.reflect.Modifier.isProtected(m.getModifiers())) continue;
                if (m.isSynthetic()) continue;
                checkType(leaks, c.getName() + "." + m.getName(), m.getGenericReturnType().getTypeName());
                for (var t : m.getGenericParameterTypes()) checkType(leaks, c.getName() + "." + m.getName(), t.getTypeName());
            }
            for (var k : c.getDeclaredConstructors())
                if (java.lang.reflect.Modifier.isPublic(k.getModifiers()))
                    for (var t : k.getGenericParameterTypes()) checkType(leaks, c.getName() + ".<init>", t.getTypeName());
            for (var f : c.getDeclaredFields())
                if (java.lang.reflect.Modifier.isPublic(f.getModifiers())) checkType(leaks, c.getName() + "." + f.getName(), f.getGenericType().getTypeName());
        }
        assertThat(leaks).as("Jackson types in public signatures").isEmpty();
    }

    private static void checkType(List<String> leaks, String where, String type) {
        if (type.contains("com.fasterxml.") || type.contains("tools.jackson.")) leaks.add(where + ": " + type);
    }
}
