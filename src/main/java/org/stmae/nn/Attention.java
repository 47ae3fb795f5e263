package org.stmae.nn;

import org.stmae.autograd.Elementwise;
import org.stmae.autograd.MatMul;
import org.stmae.autograd.ShapeOps;
import org.stmae.autograd.Softmax;
import org.stmae.autograd.Var;

/**
 * Global multi-head self-attention with separate q, k, v projections (mae_st's layout; a fused
 * VideoMAE qkv is split into these on load). Head h owns features [h*hd, (h+1)*hd).
 */
public final class Attention {
    public final Linear q, k, v, proj;
    private final int heads, headDim;
    private final float scale;

    public Attention(Params params, String name, int dim, int heads, boolean qkvBias) {
        this.q = new Linear(params, name + ".q", dim, dim, qkvBias);
        this.k = new Linear(params, name + ".k", dim, dim, qkvBias);
        this.v = new Linear(params, name + ".v", dim, dim, qkvBias);
        this.proj = new Linear(params, name + ".proj", dim, dim, true);
        this.heads = heads;
        this.headDim = dim / heads;
        // PyTorch multiplies by the double head_dim^-0.5 rounded to float32.
        this.scale = (float) Math.pow(headDim, -0.5);
    }

    /** x [N, S, D] -> [N, S, D]. */
    public Var forward(Var x) {
        int n = x.size(0), s = x.size(1), d = x.size(2);
        Var qh = splitHeads(q.forward(x), n, s), kh = splitHeads(k.forward(x), n, s), vh = splitHeads(v.forward(x), n, s);
        // Logits are scaled after the q k^T product, as mae_st does (VideoMAE scales q first).
        Var logits = Elementwise.scale(MatMul.matmul(qh, kh, false, true), scale);
        Var out = MatMul.matmul(Softmax.softmax(logits), vh, false, false);          // [N, H, S, hd]
        Var merged = ShapeOps.reshape(ShapeOps.permute(out, 0, 2, 1, 3), n, s, d);
        return proj.forward(merged);
    }

    /** [N, S, D] -> [N, H, S, hd]. */
    private Var splitHeads(Var t, int n, int s) {
        return ShapeOps.permute(ShapeOps.reshape(t, n, s, heads, headDim), 0, 2, 1, 3);
    }
}
