package org.stmae.finetune;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmae.classify.ClassifierConfig.Pooling;
import org.stmae.mae.MaeConfig;
import org.stmae.train.LrSchedule;

/**
 * Everything that decides a fine-tuning (or linear-probe) run besides the data (SPEC.md,
 * fine-tuning). Build with {@link #builder()}; defaults are listed there.
 *
 * @param model      the encoder's config; null: the one stored in {@code checkpoint}, or the tiny preset without one
 * @param checkpoint a pre-training checkpoint to start from, or null (from scratch)
 * @param layerDecay lr scale decay per layer; NaN: 0.75 with a checkpoint, 1 (none) from scratch
 * @param flipProb   horizontal flip probability of the training clips (0: direction classes stay apart)
 */
public record FinetuneConfig(
        MaeConfig model, Path checkpoint, Pooling pooling, boolean linearProbe, int epochs, int batchSize, int repeatAug,
        double blr, double lr, double minLr, double warmupEpochs, double weightDecay, double layerDecay, double beta1, double beta2,
        double dropout, double dropPath, double smoothing, double mixup, double cutmix, double mixupProb, double switchProb,
        double clipGrad, long seed, int workers, int samplingRate, String sampling, double flipProb, int evalEvery) {

    public FinetuneConfig {
        if (epochs < 1 || batchSize < 1 || repeatAug < 1) throw new IllegalArgumentException("epochs, batch_size and repeat_aug must be >= 1");
        if (evalEvery < 1) throw new IllegalArgumentException("eval_every must be >= 1");
    }

    /** mae_st fine-tuning's scaling: the effective batch counts repeated clips (batch x repeat_aug). */
    public double peakLr() {
        return lr > 0 ? lr : LrSchedule.scaledLr(blr, batchSize * repeatAug, 1);
    }

    public double effectiveLayerDecay() {
        return Double.isNaN(layerDecay) ? (checkpoint != null ? 0.75 : 1.0) : layerDecay;
    }

    public Mixup mixupConfig() {
        return new Mixup(mixup, cutmix, mixupProb, switchProb, smoothing);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (model != null) m.put("model", model.toMap());
        m.put("checkpoint", checkpoint == null ? null : checkpoint.toString());
        m.put("pooling", pooling.key());
        m.put("linear_probe", linearProbe);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("repeat_aug", repeatAug);
        m.put("blr", blr);
        m.put("lr", peakLr());
        m.put("min_lr", minLr);
        m.put("warmup_epochs", warmupEpochs);
        m.put("weight_decay", weightDecay);
        m.put("layer_decay", effectiveLayerDecay());
        m.put("betas", List.of(beta1, beta2));
        m.put("dropout", dropout);
        m.put("drop_path", dropPath);
        m.put("smoothing", smoothing);
        m.put("mixup", mixup);
        m.put("cutmix", cutmix);
        m.put("mixup_prob", mixupProb);
        m.put("mixup_switch_prob", switchProb);
        m.put("clip_grad", clipGrad);
        m.put("seed", seed);
        m.put("num_workers", workers);
        m.put("sampling_rate", samplingRate);
        m.put("sampling", sampling);
        m.put("flip", flipProb);
        m.put("eval_every", evalEvery);
        m.put("threads", org.stmae.tensor.Parallel.threads());
        return m;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model; b.checkpoint = checkpoint; b.pooling = pooling; b.linearProbe = linearProbe; b.epochs = epochs;
        b.batchSize = batchSize; b.repeatAug = repeatAug; b.blr = blr; b.lr = lr; b.minLr = minLr; b.warmupEpochs = warmupEpochs;
        b.weightDecay = weightDecay; b.layerDecay = layerDecay; b.beta1 = beta1; b.beta2 = beta2; b.dropout = dropout;
        b.dropPath = dropPath; b.smoothing = smoothing; b.mixup = mixup; b.cutmix = cutmix; b.mixupProb = mixupProb;
        b.switchProb = switchProb; b.clipGrad = clipGrad; b.seed = seed; b.workers = workers; b.samplingRate = samplingRate;
        b.sampling = sampling; b.flipProb = flipProb; b.evalEvery = evalEvery;
        return b;
    }

    /**
     * Defaults: the checkpoint's model config (the tiny preset from scratch), mae_st pooling, 20 epochs, batch 8, repeat_aug 1, blr 1e-3,
     * min_lr 1e-6, 2 warm-up epochs, weight decay 0.05, layer decay 0.75 from a checkpoint (1 from
     * scratch), betas (0.9, 0.999), dropout 0.3, drop path 0.1, smoothing 0.1, mixup and cutmix off
     * (alphas 0; mae_st's recipe uses 0.8 / 1.0), mixup prob 1, switch prob 0.5, clip_grad 5,
     * seed 0, 2 workers, sampling rate 4 (mae_st sampling), no flip, validation every epoch.
     * A linear probe uses its own defaults for what a probe does not have: no dropout, drop path,
     * smoothing, mixup or weight decay, and blr 0.1 (image MAE's probe blr; set by {@link Builder#linearProbe}, so call it first).
     */
    public static final class Builder {
        MaeConfig model;
        Path checkpoint;
        Pooling pooling = Pooling.MAE_ST;
        boolean linearProbe;
        int epochs = 20, batchSize = 8, repeatAug = 1, workers = 2, samplingRate = 4, evalEvery = 1;
        double blr = 1e-3, lr = 0, minLr = 1e-6, warmupEpochs = 2, weightDecay = 0.05, layerDecay = Double.NaN, beta1 = 0.9, beta2 = 0.999;
        double dropout = 0.3, dropPath = 0.1, smoothing = 0.1, mixup = 0, cutmix = 0, mixupProb = 1, switchProb = 0.5, clipGrad = 5;
        double flipProb = 0;
        long seed;
        String sampling = "maest";

        public Builder model(MaeConfig v) { model = v; return this; }
        public Builder checkpoint(Path v) { checkpoint = v; return this; }
        public Builder pooling(Pooling v) { pooling = v; return this; }
        /** A frozen encoder and a trained head; also turns off dropout, drop path, smoothing, mixup and weight decay, and sets blr 0.1. */
        public Builder linearProbe(boolean v) {
            linearProbe = v;
            if (v) {
                dropout = 0; dropPath = 0; smoothing = 0; mixup = 0; cutmix = 0; weightDecay = 0; blr = 0.1;
            }
            return this;
        }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder repeatAug(int v) { repeatAug = v; return this; }
        public Builder blr(double v) { blr = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder minLr(double v) { minLr = v; return this; }
        public Builder warmupEpochs(double v) { warmupEpochs = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder layerDecay(double v) { layerDecay = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder dropout(double v) { dropout = v; return this; }
        public Builder dropPath(double v) { dropPath = v; return this; }
        public Builder smoothing(double v) { smoothing = v; return this; }
        public Builder mixup(double v) { mixup = v; return this; }
        public Builder cutmix(double v) { cutmix = v; return this; }
        public Builder mixupProb(double v) { mixupProb = v; return this; }
        public Builder switchProb(double v) { switchProb = v; return this; }
        public Builder clipGrad(double v) { clipGrad = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder workers(int v) { workers = v; return this; }
        public Builder samplingRate(int v) { samplingRate = v; return this; }
        public Builder sampling(String v) { sampling = v; return this; }
        public Builder flipProb(double v) { flipProb = v; return this; }
        public Builder evalEvery(int v) { evalEvery = v; return this; }

        public FinetuneConfig build() {
            return new FinetuneConfig(model, checkpoint, pooling, linearProbe, epochs, batchSize, repeatAug, blr, lr, minLr, warmupEpochs,
                    weightDecay, layerDecay, beta1, beta2, dropout, dropPath, smoothing, mixup, cutmix, mixupProb, switchProb, clipGrad,
                    seed, workers, samplingRate, sampling, flipProb, evalEvery);
        }
    }
}
