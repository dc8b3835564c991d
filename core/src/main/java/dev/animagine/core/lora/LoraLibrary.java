package dev.animagine.core.lora;

import dev.animagine.core.AnimagineException;
import dev.animagine.core.InvalidArgumentException;
import dev.animagine.core.io.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the file a prompt's {@code <lora:NAME>} means in a LoRA folder (searched with its
 * subfolders, as A1111's {@code models/Lora}): by file name without {@code .safetensors} (also with
 * a subfolder path, or the full file name), then the same ignoring case, then by the
 * {@code ss_output_name} sd-scripts stored in the metadata (A1111's alias). Several equally good
 * matches are an error naming them.
 */
public final class LoraLibrary {
    private final Path dir;

    public LoraLibrary(Path dir) {
        this.dir = dir;
    }

    public Path resolve(String name) {
        if (!Files.isDirectory(dir)) throw new InvalidArgumentException("LoRA folder " + dir + " does not exist");
        List<Path> files = files();
        String want = strip(name.replace('\\', '/'));
        List<Path> exact = new ArrayList<>(), folded = new ArrayList<>();
        for (Path p : files) {
            String rel = strip(dir.relativize(p).toString().replace('\\', '/'));
            String stem = strip(p.getFileName().toString());
            if (rel.equals(want) || stem.equals(want)) exact.add(p);
            else if (rel.equalsIgnoreCase(want) || stem.equalsIgnoreCase(want)) folded.add(p);
        }
        if (!exact.isEmpty()) return one(name, exact);
        if (!folded.isEmpty()) return one(name, folded);
        List<Path> alias = new ArrayList<>();
        for (Path p : files) if (want.equals(outputName(p))) alias.add(p);
        if (!alias.isEmpty()) return one(name, alias);
        throw new InvalidArgumentException("LoRA '" + name + "' not found in " + dir + " (by file name or ss_output_name; "
                + files.size() + " .safetensors files there)");
    }

    /** Every .safetensors file under the folder, sorted. */
    public List<Path> files() {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new AnimagineException(dir + ": cannot list (" + e.getMessage() + ")");
        }
    }

    private Path one(String name, List<Path> matches) {
        if (matches.size() == 1) return matches.getFirst();
        throw new InvalidArgumentException("LoRA '" + name + "' is ambiguous in " + dir + ": "
                + String.join(", ", matches.stream().map(p -> dir.relativize(p).toString()).toList()));
    }

    private static String strip(String n) {
        return n.toLowerCase(Locale.ROOT).endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
    }

    private static String outputName(Path p) {
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            return f.metadata().get("ss_output_name");
        } catch (AnimagineException e) {
            return null; // an unreadable file is reported when it is actually chosen
        }
    }
}
