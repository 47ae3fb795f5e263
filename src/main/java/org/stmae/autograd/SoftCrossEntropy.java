package org.stmae.autograd;

import java.util.Arrays;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * timm's SoftTargetCrossEntropy: mean over the batch of sum_k -t_k log_softmax(x)_k, with the
 * log-softmax taken stably (max-subtracted, log-sum-exp in double). One-hot targets give the
 * usual cross-entropy, smoothed ones timm's LabelSmoothingCrossEntropy, mixed ones mixup's loss.
 */
public final class SoftCrossEntropy {
    private SoftCrossEntropy() {}

    /** logits [N, K] (differentiable), targets [N, K] (constants, usually rows summing to 1); a scalar. */
    public static Var softCrossEntropy(Var logits, Tensor targets) {
        int[] s = logits.shape();
        if (s.length != 2 || !Arrays.equals(s, targets.shape()))
            throw new IllegalArgumentException("softCrossEntropy: logits " + Shapes.str(s) + " and targets "
                    + Shapes.str(targets.shape()) + " must both be [N, K]");
        int n = s[0], k = s[1];
        float[] x = logits.value.data(), t = targets.data();
        double[] lse = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            int o = i * k;
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < k; j++) max = Math.max(max, x[o + j]);
            for (int j = 0; j < k; j++) sum += Math.exp(x[o + j] - max);
            lse[i] = max + Math.log(sum);
            for (int j = 0; j < k; j++) total -= t[o + j] * (x[o + j] - lse[i]);
        }
        Tensor loss = Tensor.scalar((float) (total / n));
        // d/dx_j = (softmax_j * sum_k t_k - t_j) / N per row.
        return Var.of(loss, "softCrossEntropy", g -> {
            float[] gx = logits.gradBuffer().data();
            double scale = g.item() / (double) n;
            for (int i = 0; i < n; i++) {
                int o = i * k;
                double tSum = 0;
                for (int j = 0; j < k; j++) tSum += t[o + j];
                for (int j = 0; j < k; j++) gx[o + j] += (float) (scale * (Math.exp(x[o + j] - lse[i]) * tSum - t[o + j]));
            }
        }, logits);
    }
}
