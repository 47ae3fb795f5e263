package org.stmae.train;

import java.util.List;
import java.util.Set;
import org.stmae.autograd.Parameter;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Tensor;

/**
 * AdamW with PyTorch's semantics (torch.optim.AdamW, single-tensor path), step by step:
 * p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 * Scalars are computed in double and applied as float32, as PyTorch's CPU kernels do.
 * Parameters in {@code noDecay} get weight decay 0 (mae_st: 1-D parameters and biases).
 */
public final class AdamW {
    public final double beta1, beta2, eps, weightDecay;
    private final List<Parameter> params;
    private final boolean[] decay;
    private final double[] lrScale;
    private final Tensor[] m, v;
    private int step;

    public AdamW(List<Parameter> params, Set<String> noDecay, double beta1, double beta2, double eps, double weightDecay) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decay = new boolean[params.size()];
        this.lrScale = new double[params.size()];
        java.util.Arrays.fill(lrScale, 1.0);
        this.m = new Tensor[params.size()];
        this.v = new Tensor[params.size()];
        for (int i = 0; i < params.size(); i++) {
            decay[i] = !noDecay.contains(params.get(i).name);
            m[i] = Tensor.zeros(params.get(i).value.size());
            v[i] = Tensor.zeros(params.get(i).value.size());
        }
    }

    /** mae_st's add_weight_decay rule (empty skip list): no decay for 1-D tensors and *.bias. */
    public static boolean isNoDecay(Parameter p) {
        return p.dim() == 1 || p.name.endsWith(".bias");
    }

    /**
     * Per-parameter learning-rate multipliers by name (layer-wise lr decay: mae_st's param_group
     * "lr_scale"); a parameter's lr, and so its weight decay, is lr x scale. Default 1.
     */
    public AdamW lrScales(java.util.Map<String, Double> scales) {
        for (int i = 0; i < params.size(); i++) lrScale[i] = scales.getOrDefault(params.get(i).name, 1.0);
        return this;
    }

    public int stepCount() {
        return step;
    }

    /** One update at learning rate {@code lr}; parameters without a gradient are skipped. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step), bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float b1 = (float) beta1, b2 = (float) beta2, a1 = (float) (1 - beta1), a2 = (float) (1 - beta2);
        float bc2 = (float) bc2Sqrt, e = (float) eps;
        int n = params.size();
        Tensor[] w = new Tensor[n], g = new Tensor[n];
        float[] stepSize = new float[n], shrink = new float[n];
        for (int i = 0; i < n; i++) {
            Parameter p = params.get(i);
            w[i] = p.value;
            g[i] = p.grad();
            double lri = lr * lrScale[i];
            stepSize[i] = (float) -(lri / bc1);
            shrink[i] = (float) (1 - lri * (decay[i] ? weightDecay : 0));
        }
        Kernels.adamw(w, g, m, v, shrink, b1, a1, b2, a2, stepSize, bc2, e); // all parameters in one pass
    }

    /** First and second moments of parameter i, to read (checkpoints): writes through them may be lost. */
    public float[] firstMoment(int i) {
        return m[i].storage().read();
    }

    public float[] secondMoment(int i) {
        return v[i].storage().read();
    }

    public void restore(int stepCount, float[][] first, float[][] second) {
        this.step = stepCount;
        for (int i = 0; i < params.size(); i++) {
            System.arraycopy(first[i], 0, m[i].data(), 0, m[i].size());
            System.arraycopy(second[i], 0, v[i].data(), 0, v[i].size());
        }
    }

    /**
     * torch.nn.utils.clip_grad_norm_: total = L2 norm of the per-parameter L2 norms (float32);
     * every gradient is multiplied by min(maxNorm / (total + 1e-6), 1). Returns the total before
     * clipping.
     */
    public static float clipGradNorm(List<Parameter> params, double maxNorm) {
        float total = gradNorm(params);
        float coef = (float) maxNorm / (total + 1e-6f);
        if (coef > 1f) coef = 1f;
        Tensor factor = Tensor.scalar(coef); // one tensor for every parameter: one upload on a device
        for (Parameter p : params) {
            if (p.grad() == null) continue;
            Tensor g = p.grad();
            Kernels.binary(Binary.MUL, g.shape(), g, g.shape(), factor, new int[0], g);
        }
        return total;
    }

    /** The global gradient norm as clip_grad_norm_ computes it (logged even without clipping). */
    public static float gradNorm(List<Parameter> params) {
        double sumSq = 0;
        for (Parameter p : params) {
            if (p.grad() == null) continue;
            double s = Kernels.sumOfSquares(p.grad());
            float norm = (float) Math.sqrt(s);
            sumSq += (double) norm * norm;
        }
        return (float) Math.sqrt(sumSq);
    }
}
