package org.stmae.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.stmae.mae.MaeConfig;

/**
 * Everything that decides a pre-training run besides the data: the model, the optimisation
 * (mae_st's names and recipe where one exists) and the data sampling. Written to
 * {@code RUN/config.json}; a resumed run reads it back.
 *
 * @param batchSize    videos per step; each gives {@code repeatAug} clips (mae_st's repeated sampling)
 * @param blr          base learning rate; lr = blr * batchSize * accumIter / 256 unless {@code lr} > 0
 * @param clipGrad     max gradient norm, or 0 for none
 * @param samplingRate temporal stride of the sampled frames
 */
public record PretrainConfig(
        MaeConfig model, Path data, Path out, long steps, double epochs, int batchSize, int repeatAug, int accumIter,
        double blr, double lr, double minLr, double warmupFraction, double weightDecay, double beta1, double beta2,
        double clipGrad, long seed, int checkpointEvery, int keepLast, int logEvery, int workers, int samplingRate,
        String sampling, boolean strict) {

    /** The learning rate at the peak of the schedule. */
    public double peakLr() {
        return lr > 0 ? lr : LrSchedule.scaledLr(blr, batchSize, accumIter);
    }

    /** Clips per optimizer step. */
    public int clipsPerStep() {
        return batchSize * repeatAug * accumIter;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.toMap());
        m.put("data", data.toString());
        m.put("steps", steps);
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("repeat_aug", repeatAug);
        m.put("accum_iter", accumIter);
        m.put("blr", blr);
        m.put("lr", peakLr());
        m.put("min_lr", minLr);
        m.put("warmup_fraction", warmupFraction);
        m.put("weight_decay", weightDecay);
        m.put("betas", java.util.List.of(beta1, beta2));
        m.put("clip_grad", clipGrad);
        m.put("seed", seed);
        m.put("checkpoint_every", checkpointEvery);
        m.put("keep_last", keepLast);
        m.put("log_every", logEvery);
        m.put("num_workers", workers);
        m.put("sampling_rate", samplingRate);
        m.put("sampling", sampling);
        m.put("strict", strict);
        m.put("threads", org.stmae.tensor.Parallel.threads());
        return m;
    }
}
