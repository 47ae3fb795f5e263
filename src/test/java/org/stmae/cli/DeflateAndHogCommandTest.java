package org.stmae.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.io.Safetensors;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.tensor.Tensor;

/** {@code stmae deflate} on good and bad checkpoints; {@code pretrain --target hog} end to end and reconstruct's refusal. */
class DeflateAndHogCommandTest {

    static CliRun run(String... argv) {
        return CliRun.of(argv);
    }

    static final String[] SMALL = {"--img_size", "32", "--patch_size", "16", "--num_frames", "4", "--t_patch_size", "2",
            "--pred_t_dim", "2", "--embed_dim", "32", "--depth", "1", "--num_heads", "2", "--decoder_embed_dim", "16",
            "--decoder_depth", "1", "--decoder_num_heads", "2", "--mask_ratio", "0.75"};

    @Test
    void deflatesAPretrainingCheckpoint(@TempDir Path dir) throws Exception {
        MaeConfig c = MaeConfig.preset("tiny");
        Path ckpt = dir.resolve("video.safetensors"), img = dir.resolve("image.safetensors");
        Checkpoints.save(Init.create(c, 3), ckpt);
        CliRun r = run("deflate", "--checkpoint", ckpt.toString(), "--out", img.toString());
        assertEquals(0, r.rc(), r.err().toString());
        try (Safetensors f = Safetensors.open(img)) {
            MaeConfig ic = Checkpoints.configOf(f);
            assertEquals(1, ic.numFrames());
            assertEquals(1, ic.tPatchSize());
            assertEquals("video.safetensors", f.metadata().get("deflated_from"));
            assertEquals(c, MaeConfig.fromMap(org.stmae.io.Json.parseObject(f.metadata().get("source_config"))));
            // The file is a complete model of its own config (strict load).
            Checkpoints.load(new MaskedAutoencoder(ic), img);
        }
        assertTrue(run("deflate", "--help").out().contains("usage: stmae deflate"));
    }

    @Test
    void badCheckpointsAreOneLineAndWriteNothing(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("image.safetensors");
        Files.writeString(out, "keep me");
        Path text = Files.writeString(dir.resolve("notes.safetensors"), "not a checkpoint at all");
        Path bare = dir.resolve("bare.safetensors");
        new Safetensors.Writer().put("x", Tensor.zeros(2)).write(bare);
        // A config that does not match the tensors: embed_dim 32 weights under an embed_dim 48 config.
        MaeConfig small = MaeConfig.preset("tiny").toBuilder().embedDim(32).numHeads(2).build();
        Path wrong = dir.resolve("wrong.safetensors");
        Checkpoints.writer(Init.create(small, 1)).meta("config", org.stmae.io.Json.write(small.toBuilder().embedDim(48).build().toMap())).write(wrong);
        for (Path bad : List.of(text, bare, wrong, dir.resolve("missing.safetensors"))) {
            CliRun r = run("deflate", "--checkpoint", bad.toString(), "--out", out.toString());
            assertNotEquals(0, r.rc(), bad.toString());
            assertEquals(1, r.err().size(), r.err().toString());
            assertTrue(r.err().get(0).startsWith("stmae deflate: ") && r.err().get(0).contains(bad.toString()), r.err().get(0));
        }
        assertTrue(run("deflate", "--checkpoint", wrong.toString(), "--out", out.toString()).err().get(0).contains("patch_embed.proj.weight"));
        assertEquals("keep me", Files.readString(out));
    }

    @Test
    void pretrainsWithTheHogTargetAndReconstructRefuses(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        for (String clip : List.of("pattern_96x64_ramp.mp4", "tree_320x240_baseline.mp4"))
            Files.copy(Path.of("testdata", "clips", clip), data.resolve(clip));
        Path runDir = dir.resolve("run");
        String[] head = {"pretrain", "--data", data.toString(), "--out", runDir.toString(), "--steps", "2", "--batch_size", "1",
                "--repeat_aug", "1", "--num_workers", "1", "--target", "hog"};
        String[] argv = java.util.stream.Stream.concat(java.util.Arrays.stream(head), java.util.Arrays.stream(SMALL)).toArray(String[]::new);
        CliRun r = run(argv);
        assertEquals(0, r.rc(), r.err().toString());
        assertTrue(r.out().contains("no reconstruction.png"), r.out());
        assertFalse(Files.exists(runDir.resolve("reconstruction.png")));
        Path ckpt = runDir.resolve("checkpoint-00002.safetensors");
        try (Safetensors f = Safetensors.open(ckpt)) {
            assertEquals(MaeConfig.Target.HOG, Checkpoints.configOf(f).target());
            assertArrayEquals(new int[] {3 * 9 * 2 * 2, 16}, f.entry("decoder_pred.weight").shape());
        }
        CliRun rec = run("reconstruct", "--checkpoint", ckpt.toString(), "--video", data.resolve("pattern_96x64_ramp.mp4").toString(),
                "--out", dir.resolve("r.png").toString());
        assertEquals(2, rec.rc());
        assertEquals(1, rec.err().size(), rec.err().toString());
        assertTrue(rec.err().get(0).contains("HOG"), rec.err().get(0));
        // A HOG model deflates like any other.
        assertEquals(0, run("deflate", "--checkpoint", ckpt.toString(), "--out", dir.resolve("img.safetensors").toString()).rc());
    }
}
