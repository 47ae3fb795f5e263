package org.stmae.nn;

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
        // One [3D, D] projection instead of three [D, D] ones: the same sums, but a matmul three
        // times as wide, which the SGEMM runs (and splits over threads) much more efficiently.
        Var w = ShapeOps.concat(0, q.weight, k.weight, v.weight);
        Var b = q.bias == null ? null : ShapeOps.concat(0, q.bias, k.bias, v.bias);
        Var qkv = ShapeOps.permute(ShapeOps.reshape(MatMul.linear(x, w, b), n, s, 3, heads, headDim), 2, 0, 3, 1, 4);
        Var qh = part(qkv, 0, n, s), kh = part(qkv, 1, n, s), vh = part(qkv, 2, n, s);
        // Logits are scaled after the q k^T product, as mae_st does (VideoMAE scales q first);
        // the softmax takes the scale, rounding the product as the separate multiply would.
        Var attn = Softmax.softmax(MatMul.matmul(qh, kh, false, true), scale);
        Var out = MatMul.matmul(attn, vh, false, false);                              // [N, H, S, hd]
        Var merged = ShapeOps.reshape(ShapeOps.permute(out, 0, 2, 1, 3), n, s, d);
        return proj.forward(merged);
    }

    /** Part i (q, k or v) of [3, N, H, S, hd] as [N, H, S, hd]. */
    private Var part(Var qkv, int i, int n, int s) {
        return ShapeOps.reshape(ShapeOps.narrow(qkv, 0, i, 1), n, heads, s, headDim);
    }
}
