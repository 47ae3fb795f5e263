package org.stmae.video;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A list of videos, each with a class index (-1 when unlabelled), and the class names.
 * Sources: any folder of videos searched recursively (pre-training), a folder tree whose
 * parent-folder names are the classes, or a list file with {@code path label} per line (the
 * Kinetics/SSv2 lists of mae_st and VideoMAE). Order is sorted by path, so a dataset is the
 * same on every machine.
 */
public final class VideoDataset {
    /** One video and its class index (-1: unlabelled). */
    public record Entry(Path path, int label) {}

    /** File name endings taken as videos when scanning folders (the decoder reports the ones it cannot read). */
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "m4v", "mov", "3gp", "mkv", "webm", "avi", "mpg", "mpeg", "ts", "flv", "wmv");

    private final List<Entry> entries;
    private final List<String> classes;

    public VideoDataset(List<Entry> entries, List<String> classes) {
        this.entries = List.copyOf(entries);
        this.classes = List.copyOf(classes);
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<String> classes() {
        return classes;
    }

    public int size() {
        return entries.size();
    }

    public Entry get(int i) {
        return entries.get(i);
    }

    /** Every video file under {@code root} (recursive), unlabelled. */
    public static VideoDataset folder(Path root) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (Path p : videoFiles(root)) out.add(new Entry(p, -1));
        if (out.isEmpty()) throw new IOException(root + ": no video files (" + String.join(", ", new TreeSet<>(VIDEO_EXTENSIONS)) + ")");
        return new VideoDataset(out, List.of());
    }

    /** Videos under {@code root}; the class of each is the name of its parent folder; classes sorted by name. */
    public static VideoDataset labelledFolder(Path root) throws IOException {
        List<Path> files = videoFiles(root);
        if (files.isEmpty()) throw new IOException(root + ": no video files");
        TreeSet<String> names = new TreeSet<>();
        for (Path p : files) names.add(p.getParent().getFileName().toString());
        List<String> classes = new ArrayList<>(names);
        List<Entry> out = new ArrayList<>();
        for (Path p : files) out.add(new Entry(p, Collections.binarySearch(classes, p.getParent().getFileName().toString())));
        return new VideoDataset(out, classes);
    }

    /**
     * A list file: {@code path label} per line, separated by the last run of spaces, tabs or a
     * comma (so paths may contain spaces); relative paths are resolved against {@code root}
     * (the list's folder when null). Labels are integers (Kinetics/SSv2 lists) or class names.
     * Blank lines and lines starting with # are skipped.
     */
    public static VideoDataset listFile(Path list, Path root) throws IOException {
        Path base = root != null ? root : list.toAbsolutePath().getParent();
        List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
        List<Path> paths = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int cut = Math.max(Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t')), line.lastIndexOf(','));
            if (cut <= 0) throw new IOException(list + ":" + lineNo + ": expected 'path label', got '" + line + "'");
            String file = line.substring(0, cut).strip();
            if (file.endsWith(",")) file = file.substring(0, file.length() - 1).strip();
            paths.add(base.resolve(file));
            labels.add(line.substring(cut + 1).strip());
        }
        boolean numeric = labels.stream().allMatch(s -> s.matches("\\d+"));
        List<String> classes;
        List<Entry> out = new ArrayList<>();
        if (numeric) {
            int max = labels.stream().mapToInt(Integer::parseInt).max().orElse(-1);
            classes = new ArrayList<>();
            for (int i = 0; i <= max; i++) classes.add(Integer.toString(i));
            for (int i = 0; i < paths.size(); i++) out.add(new Entry(paths.get(i), Integer.parseInt(labels.get(i))));
        } else {
            classes = new ArrayList<>(new TreeSet<>(labels));
            for (int i = 0; i < paths.size(); i++) out.add(new Entry(paths.get(i), Collections.binarySearch(classes, labels.get(i))));
        }
        if (out.isEmpty()) throw new IOException(list + ": no entries");
        return new VideoDataset(out, classes);
    }

    /** Writes {@code classes.txt} ("index name" per line) into {@code runDir}; returns its path. */
    public Path writeClassIndex(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < classes.size(); i++) sb.append(String.format(Locale.ROOT, "%d %s%n", i, classes.get(i)));
        Path out = runDir.resolve("classes.txt");
        Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
        return out;
    }

    /** Reads a class index written by {@link #writeClassIndex}. */
    public static List<String> readClassIndex(Path file) throws IOException {
        TreeMap<Integer, String> m = new TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            int sp = line.indexOf(' ');
            m.put(Integer.parseInt(line.substring(0, sp)), line.substring(sp + 1));
        }
        return new ArrayList<>(m.values());
    }

    private static List<Path> videoFiles(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a folder");
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> VIDEO_EXTENSIONS.contains(extension(p)))
                    .sorted()
                    .toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
