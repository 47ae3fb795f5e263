package org.stmae.video;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Locations of the committed test videos. */
final class TestClips {
    private TestClips() {}

    static final Path ROOT = locate();
    static final Path CLIPS = ROOT.resolve("testdata/clips");
    static final Path UNSUPPORTED = ROOT.resolve("testdata/unsupported");
    static final Path PATTERN = CLIPS.resolve("pattern_96x64_ramp.mp4");
    static final Path TREE_ODD = CLIPS.resolve("tree_318x178_high.mov");
    static final Path MEGAMIND = CLIPS.resolve("megamind_720x528_main_audio.mp4");

    private static Path locate() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("testdata/clips"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("testdata/clips not found above " + Path.of("").toAbsolutePath());
        return p;
    }

    /** The real clips (not the expected/ folder). */
    static List<Path> clips() {
        try (Stream<Path> s = Files.list(CLIPS)) {
            return s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
