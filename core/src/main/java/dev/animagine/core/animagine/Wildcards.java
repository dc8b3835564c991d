package dev.animagine.core.animagine;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Wildcard lists in the format of the official Animagine XL Space: a text file per list, one
 * choice per line (for characters, {@code 1girl, character, series}), used in a prompt as
 * {@code __name__} where {@code name} is the file's name without extension. One line is drawn
 * per list and replaces every placeholder of that list. Draws come from {@code java.util.Random}
 * (whose sequence the JDK specifies) seeded with the request's seed passed through SplitMix64's
 * mixing function, because Random's first draw barely changes between neighbouring seeds: the
 * same seed gives the same prompt, and seeds 1, 2, 3 give different ones.
 */
public final class Wildcards {
    private static final Pattern PLACEHOLDER = Pattern.compile("__([\\w\\-/]+?)__");
    private static final int MAX_NESTING = 8;
    private static final Wildcards NONE = new Wildcards(Map.of());

    private final Map<String, List<String>> lists;

    private Wildcards(Map<String, List<String>> lists) {
        this.lists = lists;
    }

    public static Wildcards none() {
        return NONE;
    }

    /** Lists by name (without underscores), each with at least one line. */
    public static Wildcards of(Map<String, List<String>> lists) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        lists.forEach((name, lines) -> {
            if (lines.isEmpty()) throw new InvalidArgumentException("wildcard list __" + name + "__ has no lines");
            copy.put(name, List.copyOf(lines));
        });
        return new Wildcards(copy);
    }

    /**
     * Reads wildcard files: each path is a list file, or a folder whose {@code *.txt} files are
     * lists. Blank lines and lines starting with {@code #} are skipped.
     */
    public static Wildcards load(List<Path> paths) {
        Map<String, List<String>> lists = new LinkedHashMap<>();
        Map<String, Path> origin = new HashMap<>();
        for (Path p : paths) {
            for (Path file : files(p)) {
                String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                Path before = origin.put(name, file);
                if (before != null) {
                    throw new InvalidArgumentException("--wildcards: " + before + " and " + file + " both define __" + name + "__");
                }
                List<String> lines = readLines(file);
                if (lines.isEmpty()) throw new InvalidArgumentException("--wildcards " + file + ": the file has no lines");
                lists.put(name, lines);
            }
        }
        return new Wildcards(lists);
    }

    private static List<Path> files(Path p) {
        if (Files.isDirectory(p)) {
            try (Stream<Path> s = Files.list(p)) {
                List<Path> txt = s.filter(f -> f.getFileName().toString().endsWith(".txt") && Files.isRegularFile(f)).sorted().toList();
                if (txt.isEmpty()) throw new InvalidArgumentException("--wildcards " + p + ": the folder has no .txt files");
                return txt;
            } catch (IOException e) {
                throw new AnimagineException("--wildcards " + p + ": cannot list the folder (" + e.getMessage() + ")", e);
            }
        }
        if (!Files.isRegularFile(p)) throw new InvalidArgumentException("--wildcards " + p + ": no such file or folder");
        return List.of(p);
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                    .toList();
        } catch (CharacterCodingException e) {
            throw new InvalidArgumentException("--wildcards " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new AnimagineException("--wildcards " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The list names, in the order given. */
    public List<String> names() {
        return List.copyOf(lists.keySet());
    }

    /** The lists by name, in the order given (unmodifiable; {@link #of} rebuilds them, e.g. after serialising). */
    public Map<String, List<String>> lists() {
        return java.util.Collections.unmodifiableMap(lists);
    }

    /**
     * Fails, with the message a draw would give, when the text or a list it can reach names a list
     * that does not exist: a batch checks its prompts once before any image is made.
     */
    public void requireKnown(String text) {
        requireKnown(text, new java.util.HashSet<>());
    }

    private void requireKnown(String text, java.util.Set<String> seen) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            List<String> lines = lists.get(name);
            if (lines == null) throw unknown(name);
            if (seen.add(name)) {
                for (String line : lines) requireKnown(line, seen);
            }
        }
    }

    private InvalidArgumentException unknown(String name) {
        return new InvalidArgumentException("__" + name + "__: no wildcard list of that name"
                + (lists.isEmpty() ? " (give one with --wildcards " + name + ".txt)" : " (have: " + String.join(", ", lists.keySet()) + ")"));
    }

    /** True when the text holds a {@code __name__} placeholder (known or not). */
    public static boolean hasPlaceholder(String text) {
        return text != null && PLACEHOLDER.matcher(text).find();
    }

    /**
     * A tag after expansion. {@code drawn}: it holds text from a wildcard list. {@code identity}:
     * it is from a line in the character format ({@code 1girl, character, series}) drawn for a
     * placeholder that stood as a tag of its own; the template puts such tags where the character
     * and series go, wherever the placeholder was.
     */
    record Piece(String text, boolean identity, boolean drawn) {}

    /** Replaces the placeholders in the prompt's tags (as {@link TagText#split} gives them). */
    List<Piece> expand(List<String> tags, long seed) {
        Expander e = new Expander(new Random(mix(seed)));
        for (String t : tags) e.expand(t, false, false, 0);
        return e.out;
    }

    /** SplitMix64's finaliser (Steele, Lea, Flood 2014): spreads neighbouring seeds over all 64 bits. */
    static long mix(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private final class Expander {
        final Random random;
        final Map<String, String> drawn = new HashMap<>();
        final List<Piece> out = new ArrayList<>();

        Expander(Random random) {
            this.random = random;
        }

        void expand(String tag, boolean identity, boolean drawn, int depth) {
            if (depth > MAX_NESTING) {
                throw new InvalidArgumentException("--wildcards: placeholders nest more than " + MAX_NESTING + " deep in '" + tag + "'");
            }
            Matcher m = PLACEHOLDER.matcher(tag);
            if (!m.find()) {
                out.add(new Piece(tag, identity, drawn));
                return;
            }
            boolean whole = m.start() == 0 && m.end() == tag.length();
            String replaced = whole ? draw(m.group(1)) : m.reset().replaceAll(r -> Matcher.quoteReplacement(draw(r.group(1))));
            List<String> parts = TagText.split(replaced);
            boolean characterLine = whole && !parts.isEmpty() && CountTags.is(TagText.bare(parts.getFirst()));
            for (String part : parts) expand(part, identity || characterLine, true, depth + 1);
        }

        String draw(String name) {
            List<String> lines = lists.get(name);
            if (lines == null) throw unknown(name);
            return drawn.computeIfAbsent(name, k -> lines.get(random.nextInt(lines.size())));
        }
    }
}
