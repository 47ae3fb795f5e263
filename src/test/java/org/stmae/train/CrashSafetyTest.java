package org.stmae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.io.Safetensors;
import org.stmae.tensor.Tensor;

/**
 * Kill -9 a JVM while it is writing checkpoints, then read what remains: the checkpoint file
 * must always be one whole version (never torn), because writes go to a temporary file that is
 * forced to disk and renamed.
 */
class CrashSafetyTest {
    /** Child process: rewrites {@code args[0]} forever with 16M floats all equal to the version. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Tensor t = Tensor.zeros(16 << 20);
        for (int version = 1; ; version++) {
            java.util.Arrays.fill(t.data(), version);
            new Safetensors.Writer().put("weights", t).meta("version", Integer.toString(version)).write(file);
        }
    }

    @Test
    void killedDuringASaveLeavesAWholeCheckpoint(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("checkpoint.safetensors");
        String java = ProcessHandle.current().info().command().orElse("java");
        long[] delays = {150, 400, 900};
        List<Integer> seen = new ArrayList<>();
        for (long delay : delays) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "-Xmx512m",
                    CrashSafetyTest.class.getName(), file.toString()).redirectErrorStream(true).start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(file) && System.nanoTime() < deadline) Thread.sleep(10);
            Thread.sleep(delay);
            p.destroyForcibly().waitFor();
            try (Safetensors f = Safetensors.open(file)) {
                int version = Integer.parseInt(f.metadata().get("version"));
                Tensor w = f.floatTensor("weights");
                for (int i = 0; i < w.size(); i += 4099) assertEquals(version, w.data()[i], "torn checkpoint at element " + i);
                assertEquals(version, w.data()[w.size() - 1]);
                seen.add(version);
            }
        }
        assertTrue(seen.get(seen.size() - 1) >= 1, "versions seen: " + seen);
    }
}
