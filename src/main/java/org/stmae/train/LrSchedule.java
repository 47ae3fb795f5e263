package org.stmae.train;

/**
 * mae_st's learning-rate schedule, per optimizer step: linear warm-up from 0 to the peak over
 * {@code warmupSteps}, then a half-cycle cosine down to {@code minLr} at {@code totalSteps}.
 * (mae_st writes it in fractional epochs, epoch + iter/iters_per_epoch; in steps it is the same.)
 */
public record LrSchedule(double peak, double minLr, long warmupSteps, long totalSteps) {
    public LrSchedule {
        if (!(peak >= 0) || !(minLr >= 0) || warmupSteps < 0 || totalSteps < 1)
            throw new IllegalArgumentException("schedule: peak " + peak + ", min_lr " + minLr + ", warmup " + warmupSteps + ", total " + totalSteps);
    }

    /** mae_st's scaling: lr = blr * effective batch / 256, effective batch = batch x accum_iter. */
    public static double scaledLr(double blr, int batchSize, int accumIter) {
        return blr * batchSize * accumIter / 256.0;
    }

    /** The learning rate for the step that starts at {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) return peak * step / warmupSteps;
        if (totalSteps <= warmupSteps) return peak;
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return minLr + (peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
