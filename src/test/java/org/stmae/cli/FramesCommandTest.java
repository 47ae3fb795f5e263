package org.stmae.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stmae frames} on every committed clip, and on files it cannot decode. */
class FramesCommandTest {
    static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("testdata/clips"))) p = p.getParent();
        return p;
    }

    @Test
    void everyClipAndEveryUnsupportedFile(@TempDir Path out) throws Exception {
        try (Stream<Path> s = Stream.concat(Files.list(root().resolve("testdata/clips")), Files.list(root().resolve("testdata/unsupported")))) {
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                boolean good = f.getParent().getFileName().toString().equals("clips");
                Path dir = out.resolve(f.getFileName().toString());
                ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
                PrintStream so = System.out, se = System.err;
                int rc;
                try {
                    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
                    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
                    rc = Main.run(new String[] {"frames", f.toString(), "--out", dir.toString(), "--start", "1", "--count", "2", "--size", "32"},
                            System.out, System.err);
                } finally {
                    System.setOut(so);
                    System.setErr(se);
                }
                String err = e.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("stmae: Java")).reduce("", (a, b) -> a + b + "\n");
                if (good) {
                    assertEquals(0, rc, f + ": " + err);
                    assertTrue(o.toString(StandardCharsets.UTF_8).contains("fps"), o.toString(StandardCharsets.UTF_8));
                    assertTrue(Files.exists(dir.resolve("frame_00001.png")) && Files.exists(dir.resolve("frame_00002.png")), f.toString());
                    assertFalse(Files.exists(dir.resolve("frame_00003.png")));
                } else {
                    assertEquals(2, rc, f.toString());
                    assertEquals(1, err.lines().count(), f + ": " + err);
                    assertTrue(err.startsWith("stmae frames: " + f + ": "), err);
                    assertFalse(err.contains("Exception") && err.contains("\tat "), err);
                }
            }
        }
    }
}
