package org.stmae.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed PyTorch fixture (tools/reference/make_fixtures.py) recomputed by our engine:
 * masks, activations, target, prediction, loss, every gradient and the AdamW steps, each
 * compared by name within the dump format's tolerances. A missing fixture directory fails.
 */
class ReferenceParityTest {
    static final Path FIXTURES = Path.of("testdata", "fixtures");

    static List<Path> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(FIXTURES)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().collect(Collectors.toList());
            assertTrue(l.size() >= 9, "expected the committed fixtures in " + FIXTURES.toAbsolutePath());
            return l;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyTensorMatchesPyTorch(Path dump) throws Exception {
        List<Verifier.Row> rows = Verifier.verify(dump);
        assertTrue(rows.size() > 40, "only " + rows.size() + " tensors compared in " + dump);
        assertTrue(rows.stream().anyMatch(r -> r.name().equals("loss") || r.name().startsWith("step")), "no loss or optimizer rows");
        String failures = rows.stream().filter(r -> !r.ok())
                .map(r -> r.name() + " diff " + r.maxDiff() + " > tol " + r.tolerance() + " " + r.note())
                .collect(Collectors.joining("\n"));
        assertEquals("", failures, dump + " mismatches");
    }

    @Test
    void aCorruptedWeightIsCaught(@TempDir Path dir) throws Exception {
        // The verifier must be able to fail: perturb one weight and expect its gradient rows to break.
        Path src = FIXTURES.resolve("tiny-default.safetensors");
        Path bad = dir.resolve("bad.safetensors");
        try (var f = org.stmae.io.Safetensors.open(src)) {
            var w = new org.stmae.io.Safetensors.Writer();
            for (var e : f.metadata().entrySet()) w.meta(e.getKey(), e.getValue());
            for (String n : f.names()) {
                String dt = f.entry(n).dtype();
                if (dt.equals("I64")) w.put(n, f.intTensor(n));
                else {
                    var t = f.floatTensor(n);
                    if (n.equals("blocks.1.mlp.fc1.weight")) t.data()[7] += 0.05f;
                    w.put(n, t);
                }
            }
            w.write(bad);
        }
        List<Verifier.Row> rows = Verifier.verify(bad);
        assertTrue(rows.stream().anyMatch(r -> !r.ok() && r.name().equals("pred")), "a changed weight must change pred beyond tolerance");
    }

    @Test
    void anInvalidFileIsReportedNotCrashed(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.safetensors");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        var e = assertThrows(Verifier.InvalidDump.class, () -> Verifier.verify(junk));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
        Path truncated = dir.resolve("truncated.safetensors");
        byte[] whole = Files.readAllBytes(FIXTURES.resolve("tiny-tpatch1.safetensors"));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(Verifier.InvalidDump.class, () -> Verifier.verify(truncated));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
