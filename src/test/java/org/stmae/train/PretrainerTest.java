package org.stmae.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.mae.MaeConfig;

/** Determinism, bitwise resume, divergence handling and checkpoint refusal of the pre-training loop. */
class PretrainerTest {
    static final MaeConfig SMALL = MaeConfig.builder().imgSize(32).patchSize(16).numFrames(4).tPatchSize(2).predTDim(2)
            .embedDim(32).depth(1).numHeads(2).decoderEmbedDim(16).decoderDepth(1).decoderNumHeads(2).maskRatio(0.75).build();

    /** A data folder with the two small real clips (copied so the test owns its inputs). */
    static Path data(Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("data"));
        for (String c : List.of("pattern_96x64_ramp.mp4", "tree_320x240_baseline.mp4"))
            Files.copy(Path.of("testdata", "clips", c), d.resolve(c));
        return d;
    }

    static PretrainConfig config(Path data, Path out, long steps, int checkpointEvery, double lr) {
        return new PretrainConfig(SMALL, data, out, steps, 0, 2, 2, 1, 1.6e-3, lr, 0, 0.2, 0.05, 0.9, 0.95, 1.0, 7,
                checkpointEvery, 10, 0, 2, 2, "maest", false);
    }

    static List<String> losses(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().skip(1).map(l -> l.split(",")[2]).toList();
    }

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    @Test
    void sameSeedSameBitsAndResumeContinuesExactly(@TempDir Path dir) throws Exception {
        Path data = data(dir);
        Path full = dir.resolve("full"), again = dir.resolve("again"), split = dir.resolve("split");
        new Pretrainer(config(data, full, 6, 0, 1e-3), quiet()).run(false);
        new Pretrainer(config(data, again, 6, 0, 1e-3), quiet()).run(false);
        assertEquals(losses(full), losses(again), "same seed, data and threads must give the same losses");
        assertEquals(6, losses(full).size());

        // Stop after 3 steps (a checkpoint at 3), then resume to 6: the losses must equal the uninterrupted run's.
        new Pretrainer(config(data, split, 6, 3, 1e-3), quiet()).stopAfter(3).run(false);
        assertTrue(Files.exists(TrainCheckpoint.file(split, 3)));
        new Pretrainer(config(data, split, 6, 3, 1e-3), quiet()).run(true);
        assertEquals(losses(full), losses(split), "a resumed run must continue bit for bit");
        assertTrue(Files.exists(split.resolve("loss.png")));
    }

    @Test
    void aNonFiniteLossStopsTheRunAndNamesTheStep(@TempDir Path dir) throws Exception {
        Path data = data(dir), run = dir.resolve("run");
        var e = assertThrows(Pretrainer.DivergedException.class,
                () -> new Pretrainer(config(data, run, 40, 2, 1e30), quiet()).run(false));
        assertTrue(e.getMessage().matches("(?s)loss is (NaN|Infinity|-Infinity) at step \\d+.*"), e.getMessage());
        // The last checkpoint written before the divergence is still there and loads.
        List<Path> ckpts = TrainCheckpoint.list(run);
        if (!ckpts.isEmpty()) {
            assertTrue(e.getMessage().contains(ckpts.get(ckpts.size() - 1).toString()), e.getMessage());
            var model = org.stmae.mae.Init.create(SMALL, 0);
            TrainCheckpoint.load(ckpts.get(ckpts.size() - 1), model,
                    new AdamW(model.params.all(), java.util.Set.of(), 0.9, 0.95, 1e-8, 0));
        }
    }

    @Test
    void aTruncatedOrForeignCheckpointIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        Path data = data(dir), run = dir.resolve("run");
        new Pretrainer(config(data, run, 2, 2, 1e-3), quiet()).run(false);
        Path ckpt = TrainCheckpoint.file(run, 2);
        byte[] whole = Files.readAllBytes(ckpt);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 1000));
        var model = org.stmae.mae.Init.create(SMALL, 0);
        var opt = new AdamW(model.params.all(), java.util.Set.of(), 0.9, 0.95, 1e-8, 0);
        String m = assertThrows(java.io.IOException.class, () -> TrainCheckpoint.load(cut, model, opt)).getMessage();
        assertTrue(m.contains("cut.safetensors") && !m.contains("\n"), m);
        Path foreign = dir.resolve("foreign.safetensors");
        org.stmae.mae.Checkpoints.save(org.stmae.mae.Init.create(MaeConfig.preset("tiny"), 0), foreign);
        m = assertThrows(java.io.IOException.class, () -> TrainCheckpoint.load(foreign, model, opt)).getMessage();
        assertTrue(m.contains("foreign.safetensors") && m.contains("key") && !m.contains("\n"), m);
    }
}
