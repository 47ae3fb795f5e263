package org.stmae.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.autograd.Parameter;
import org.stmae.classify.ClassifierCheckpoints;
import org.stmae.classify.ClassifierConfig;
import org.stmae.classify.VideoClassifier;
import org.stmae.mae.Checkpoints;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.synth.MotionDataset;
import org.stmae.video.RgbFrame;
import org.stmae.video.VideoDataset;

/** Fine-tuning and the linear probe end to end on a few generated clips with a very small model. */
public class FinetunerTest {
    @TempDir
    static Path dir;
    static Path data;

    /** 32x32 clips, 2x8x8 patches (64 tokens), a 32-d x 2-block encoder. */
    static final MaeConfig SMALL = MaeConfig.presetBuilder("tiny").imgSize(32).embedDim(32).depth(2).numHeads(2)
            .decoderEmbedDim(16).decoderDepth(1).decoderNumHeads(2).maskRatio(0.75).build();

    public static List<RgbFrame> noiseTextures() {
        List<RgbFrame> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 2; i++) {
            byte[] rgb = new byte[48 * 48 * 3];
            for (int j = 0; j < rgb.length; j++) rgb[j] = (byte) r.nextInt(256);
            out.add(new RgbFrame(i, i, 48, 48, rgb));
        }
        return out;
    }

    @BeforeAll
    static void makeData() throws IOException {
        data = dir.resolve("data");
        MotionDataset.generate(new MotionDataset.Options(data, List.of("left", "right", "grow"), 4, 32, 16, 15, 1), noiseTextures());
    }

    static FinetuneConfig.Builder small() {
        return FinetuneConfig.builder().model(SMALL).epochs(2).batchSize(3).warmupEpochs(1).blr(0.05).workers(1).seed(5);
    }

    static String run(FinetuneConfig cfg, Path out, Finetuner.Result[] result) throws Exception {
        Split split = Split.holdOut(VideoDataset.labelledFolder(data), 0.25, 0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        result[0] = Finetuner.run(cfg, split.train(), split.val(), out, new PrintStream(log, true, StandardCharsets.UTF_8));
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theSplitIsStratifiedAndDisjoint() throws Exception {
        Split s = Split.holdOut(VideoDataset.labelledFolder(data), 0.25, 0);
        assertEquals(9, s.train().size());
        assertEquals(3, s.val().size());
        for (int c = 0; c < 3; c++) {
            int cls = c;
            assertEquals(1, s.val().entries().stream().filter(e -> e.label() == cls).count(), "one validation video per class");
        }
        for (var e : s.val().entries()) assertFalse(s.train().entries().contains(e));
        assertEquals(s.val().entries(), Split.holdOut(VideoDataset.labelledFolder(data), 0.25, 0).val().entries());
    }

    @Test
    void fromScratchWritesTheRunAndRepeatsBitForBit() throws Exception {
        var cfg = small().dropPath(0.2).dropout(0.3).mixup(0.8).cutmix(1.0).build();
        Finetuner.Result[] a = new Finetuner.Result[1], b = new Finetuner.Result[1];
        String log = run(cfg, dir.resolve("scratch-a"), a);
        run(cfg, dir.resolve("scratch-b"), b);
        assertTrue(log.contains("from scratch"), log);
        assertEquals(2, a[0].epochs().size());
        for (int i = 0; i < 2; i++) {
            var ea = a[0].epochs().get(i);
            var eb = b[0].epochs().get(i);
            assertEquals(ea.trainLoss(), eb.trainLoss(), 0.0, "same seed, same loss");
            assertEquals(ea.valTop1(), eb.valTop1(), 0.0);
            assertTrue(Double.isFinite(ea.trainLoss()) && Double.isFinite(ea.valLoss()));
        }
        Path run = dir.resolve("scratch-a");
        for (String f : new String[] {"config.json", "classes.txt", "metrics.csv", "loss.png", "accuracy.png", "val_confusion.png", Finetuner.CHECKPOINT})
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals("epoch,train_loss,val_loss,val_top1,val_top5,lr,elapsed_s", csv.get(0));
        assertEquals(3, csv.size());
        // The checkpoint holds the final model: same probabilities on the same clip.
        var loaded = ClassifierCheckpoints.load(run.resolve(Finetuner.CHECKPOINT));
        assertEquals(List.of("grow", "left", "right"), loaded.classes());
        var clip = org.stmae.tensor.Tensor.full(0.1f, 1, 3, 8, 32, 32);
        assertArrayEquals(a[0].model().probabilities(clip).data(), loaded.model().probabilities(clip).data());
        // A different seed is a different run.
        Finetuner.Result[] c = new Finetuner.Result[1];
        run(small().seed(6).build(), null, c);
        assertNotEquals(a[0].epochs().get(0).trainLoss(), c[0].epochs().get(0).trainLoss());
        // A finished run is not overwritten.
        var e = assertThrows(IOException.class, () -> run(cfg, run, new Finetuner.Result[1]));
        assertTrue(e.getMessage().contains("already holds"), e.getMessage());
    }

    @Test
    void linearProbeFromACheckpointReportsKeysAndKeepsTheEncoderFrozen() throws Exception {
        MaskedAutoencoder mae = Init.create(SMALL, 9);
        Path ckpt = dir.resolve("pretrained.safetensors");
        Checkpoints.save(mae, ckpt);
        Finetuner.Result[] r = new Finetuner.Result[1];
        String log = run(small().model(null).checkpoint(ckpt).linearProbe(true).pooling(ClassifierConfig.Pooling.VIDEOMAE).build(), null, r);
        assertTrue(log.contains("used 38 tensors"), log);     // patch embed 2, cls 1, positions 3, 2 blocks x 16 (norm is unused here)
        assertTrue(log.contains("not used") && log.contains("decoder_blocks.* x16") && log.contains("norm.* x2"), log);
        assertTrue(log.contains("newly initialised 4 [fc_norm.* x2, head.* x2]"), log);
        VideoClassifier model = r[0].model();
        for (Parameter p : model.encoderParams())
            assertArrayEquals(mae.params.get(p.name).value.data(), p.value.data(), p.name + " must stay frozen");
        assertTrue(model.params.get("head.weight").value.maxAbs() > 1e-3, "the head trained");
    }

    @Test
    void aWrongShapeCheckpointIsOneLine() throws Exception {
        Path ckpt = dir.resolve("wide.safetensors");
        Checkpoints.save(Init.create(SMALL.toBuilder().embedDim(48).numHeads(2).build(), 1), ckpt);
        VideoClassifier c = new VideoClassifier(new ClassifierConfig(SMALL, 3, ClassifierConfig.Pooling.MAE_ST, 0, 0));
        var e = assertThrows(IOException.class, () -> ClassifierCheckpoints.initEncoder(c, ckpt, new PrintStream(new ByteArrayOutputStream())));
        assertTrue(e.getMessage().contains("wide.safetensors") && e.getMessage().contains("patch_embed.proj.weight")
                && e.getMessage().contains("[48, 3, 2, 8, 8]") && e.getMessage().contains("[32, 3, 2, 8, 8]"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void multiViewTestingAveragesEachVideosViews() throws Exception {
        VideoDataset ds = VideoDataset.labelledFolder(data);
        VideoClassifier model = VideoClassifier.create(new ClassifierConfig(SMALL, 3, ClassifierConfig.Pooling.MAE_ST, 0, 0), 4);
        var sampler = org.stmae.train.Data.sampler(SMALL, 4, 1, "maest");
        var r = org.stmae.eval.Evaluator.evaluate(model, ds, ds.classes(), sampler, 2, 3, 1, System.err);
        // Recompute by hand: each video's 6 views, their softmax averaged, top-1 from the average.
        int correct = 0;
        long[][] cm = new long[3][3];
        for (var e : ds.entries()) {
            try (var reader = org.stmae.video.VideoReader.open(e.path(), 60_000)) {
                var views = sampler.test(reader, e.label(), 2, 3);
                assertEquals(6, views.size());
                double[] avg = new double[3];
                for (var v : views) {
                    float[] p = model.probabilities(v.clip().reshape(1, 3, 8, 32, 32)).data();
                    for (int j = 0; j < 3; j++) avg[j] += p[j] / 6;
                }
                int best = 0;
                for (int j = 1; j < 3; j++) if (avg[j] > avg[best]) best = j;
                cm[e.label()][best]++;
                if (best == e.label()) correct++;
            }
        }
        assertEquals(ds.size(), r.videos());
        assertEquals(100.0 * correct / ds.size(), r.top1(), 1e-9);
        assertEquals(100.0, r.top5(), 0.0);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) assertEquals(cm[i][j], r.confusion().count(i, j), "confusion " + i + "," + j);
    }
}
