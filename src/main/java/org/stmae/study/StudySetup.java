package org.stmae.study;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stmae.finetune.FinetuneConfig;
import org.stmae.mae.MaeConfig;
import org.stmae.synth.MotionDataset;
import org.stmae.train.PretrainConfig;

/**
 * The shared setup of every study: the generated dataset, the base model, the pre-training and
 * the evaluation recipe, and the seeds. {@link #defaults()} is the size calibrated in RESULTS.md
 * (the smallest at which the from-scratch baseline clearly beats chance); each field has a flag.
 *
 * @param backgroundContrast see {@link MotionDataset.Options}
 * @param pretrainSteps      optimizer steps of MAE pre-training, each of pretrainBatch x repeatAug clips
 * @param linearProbe        evaluate with a linear probe (frozen encoder) instead of fine-tuning
 */
public record StudySetup(List<String> classes, int clipsPerClass, int valClipsPerClass, int size, int frames, double backgroundContrast,
                         long dataSeed, MaeConfig base, long pretrainSteps, int pretrainBatch, int repeatAug, double pretrainLr,
                         boolean linearProbe, int finetuneEpochs, int finetuneBatch, double finetuneLr, List<Long> seeds) {

    public static StudySetup defaults() {
        MaeConfig base = MaeConfig.builder().imgSize(32).patchSize(8).numFrames(8).tPatchSize(2).predTDim(4)
                .embedDim(128).depth(4).numHeads(4).decoderEmbedDim(64).decoderDepth(2).decoderNumHeads(2).build();
        return new StudySetup(MotionDataset.CLASSES, 320, 50, 32, 8, 0.3, 0, base, 500, 8, 4, 1e-3, false, 8, 32, 5e-4,
                List.of(0L, 1L));
    }

    /** The base model with a variant's overrides (mae_st field names). */
    public MaeConfig model(Map<String, String> overrides) {
        MaeConfig.Builder b = base.toBuilder();
        for (var e : overrides.entrySet()) b.set(e.getKey(), e.getValue(), false);
        return b.build();
    }

    /** mae_st's recipe (AdamW 0.9/0.95, wd 0.05, warm-up 5%, cosine) at the setup's length and lr. */
    PretrainConfig pretrain(MaeConfig model, Path data, Path out, long seed) {
        double epochs = (double) pretrainSteps * pretrainBatch / (clipsPerClass * classes.size());
        return new PretrainConfig(model, data, out, pretrainSteps, epochs, pretrainBatch, repeatAug, 1, 1.6e-3, pretrainLr, 0, 0.05,
                0.05, 0.9, 0.95, 0, seed, (int) pretrainSteps, 1, Math.max(1, (int) pretrainSteps / 10), 2, 1, "maest", false);
    }

    /**
     * The fine-tuning (or linear-probe) recipe; no flips, which would swap left/right and cw/ccw,
     * and no dropout or drop path, which kept the from-scratch baseline near chance (RESULTS.md).
     */
    FinetuneConfig finetune(MaeConfig model, Path checkpoint, long seed) {
        return FinetuneConfig.builder().model(model).checkpoint(checkpoint).linearProbe(linearProbe).epochs(finetuneEpochs)
                .batchSize(finetuneBatch).lr(finetuneLr).dropout(0).dropPath(0).samplingRate(1).flipProb(0).seed(seed).evalEvery(finetuneEpochs).build();
    }

    public StudySetup withSeeds(List<Long> s) {
        return new StudySetup(classes, clipsPerClass, valClipsPerClass, size, frames, backgroundContrast, dataSeed, base, pretrainSteps,
                pretrainBatch, repeatAug, pretrainLr, linearProbe, finetuneEpochs, finetuneBatch, finetuneLr, s);
    }

    public String describe() {
        return recipe() + "\nseeds: " + seeds;
    }

    /** Everything but the seeds: runs made under one recipe can be shared and extended with more seeds. */
    public String recipe() {
        return String.format(Locale.ROOT, String.join("\n",
                        "data: %d classes (%s), %d train + %d held-out clips per class, %dx%dx%d, background contrast %.2f, data seed %d",
                        "model: %dx%dx%d clips, patches %dx%dx%d (%d tokens), encoder %d-d x %d blocks x %d heads, decoder %d-d x %d x %d, pred_t_dim %d",
                        "pre-training: %d steps of %d videos x %d repeats, lr %.2g, AdamW (0.9, 0.95), wd 0.05, warm-up 5%%, cosine",
                        "evaluation: %s, %d epochs, batch %d, lr %.2g, no dropout, no drop path, no flips"),
                classes.size(), String.join(",", classes), clipsPerClass, valClipsPerClass, frames, size, size, backgroundContrast, dataSeed,
                base.numFrames(), base.imgSize(), base.imgSize(), base.tPatchSize(), base.patchSize(), base.patchSize(), base.numPatches(),
                base.embedDim(), base.depth(), base.numHeads(), base.decoderEmbedDim(), base.decoderDepth(), base.decoderNumHeads(), base.predTDim(),
                pretrainSteps, pretrainBatch, repeatAug, pretrainLr, linearProbe ? "linear probe" : "fine-tuning", finetuneEpochs, finetuneBatch,
                finetuneLr);
    }
}
