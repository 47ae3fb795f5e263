package org.stmae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.io.Json;
import org.stmae.synth.MotionDataset;

/** {@code stmae finetune} then {@code stmae test} on generated clips, and their one-line errors. */
class FinetuneCommandTest {

    static CliRun stmae(String... argv) {
        return CliRun.of(argv);
    }

    @Test
    void finetuneThenMultiViewTest(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        MotionDataset.generate(new MotionDataset.Options(data, List.of("left", "right"), 3, 32, 16, 15, 2),
                org.stmae.finetune.FinetunerTest.noiseTextures());
        String[] model = {"--img_size", "32", "--embed_dim", "16", "--depth", "1", "--num_heads", "2", "--mask_ratio", "0.75"};
        Path run = dir.resolve("run");
        CliRun ft = stmae(concat(new String[] {"finetune", "--data", data.toString(), "--out", run.toString(), "--epochs", "1",
                "--batch_size", "2", "--num_workers", "1", "--val_fraction", "0.34"}, model));
        assertEquals(0, ft.rc(), ft.errText() + ft.out());
        assertTrue(ft.out().contains("validation top-1"), ft.out());
        assertTrue(Files.exists(run.resolve("checkpoint.safetensors")) && Files.exists(run.resolve("metrics.csv")));

        Path testOut = dir.resolve("test");
        CliRun t = stmae("test", "--checkpoint", run.resolve("checkpoint.safetensors").toString(), "--data", data.toString(), "--views", "2",
                "--crops", "3", "--num_workers", "1", "--out", testOut.toString());
        assertEquals(0, t.rc(), t.errText() + t.out());
        assertTrue(t.out().contains("top-1") && t.out().contains("on 6 videos (2 x 3 views each"), t.out());
        Map<String, Object> j = Json.parseObject(Files.readString(testOut.resolve("test.json")));
        assertEquals(6, ((Number) j.get("videos")).intValue());
        double top1 = ((Number) j.get("top1")).doubleValue();
        assertEquals(0, Math.round(top1 * 6 / 100) * 100.0 / 6 - top1, 1e-9, "top-1 is a share of 6 videos");
        assertEquals(100.0, ((Number) j.get("top5")).doubleValue(), "two classes: the true one is always in the top 5");
        assertTrue(Files.size(testOut.resolve("confusion.png")) > 0);
        List<String> cm = Files.readAllLines(testOut.resolve("confusion.csv"));
        assertEquals(3, cm.size());
        long total = cm.stream().skip(1).flatMap(l -> java.util.Arrays.stream(l.split(",")).skip(1)).mapToLong(Long::parseLong).sum();
        assertEquals(6, total);
    }

    @Test
    void badInputIsOneLine(@TempDir Path dir) throws Exception {
        CliRun r = stmae("finetune", "--data", dir.resolve("missing").toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, r.rc());
        assertEquals(1, r.errText().lines().count(), r.errText());
        r = stmae("finetune", "--data", dir.toString(), "--out", dir.resolve("o").toString(), "--pooling", "max");
        assertEquals(2, r.rc());
        assertTrue(r.errText().contains("pooling must be mae_st or videomae"), r.errText());
        Path notClassifier = dir.resolve("mae.safetensors");
        org.stmae.mae.Checkpoints.save(org.stmae.mae.Init.create(org.stmae.mae.MaeConfig.preset("tiny"), 0), notClassifier);
        r = stmae("test", "--checkpoint", notClassifier.toString(), "--data", dir.toString());
        assertEquals(1, r.rc());
        assertEquals(1, r.errText().lines().count(), r.errText());
        assertTrue(r.errText().contains("not a classifier checkpoint"), r.errText());
        assertEquals(0, stmae("finetune", "--help").rc());
        assertEquals(0, stmae("test", "--help").rc());
    }

    static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
