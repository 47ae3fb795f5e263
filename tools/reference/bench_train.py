"""Times full PyTorch pre-training steps (forward, backward, AdamW) on the bench configs.

The same configs and the same analytic FLOP count as `bin/stmae bench train` (SPEC.md,
benchmarks), so the two tables compare directly. Uses our reference model
(mae_reference.py), which computes what mae_st computes.

    /usr/bin/python3 tools/reference/bench_train.py [--threads 2] [--steps 10] [--configs bench-S,bench-S-dense]

Prints CSV: config,threads,clips_per_s,gflops,peak_rss_mb,step_ms,kernel
"""
import argparse
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_matmul import blas_report  # noqa: E402  (the same check: which BLAS torch really calls)
from mae_reference import MaskedAutoencoderViT, adamw_groups  # noqa: E402

BENCH_S = dict(batch_size=4, in_chans=3, img_size=112, patch_size=16, num_frames=16, t_patch_size=2,
               embed_dim=384, depth=12, num_heads=6, decoder_embed_dim=192, decoder_depth=4,
               decoder_num_heads=3, mlp_ratio=4.0, norm_eps=1e-6, qkv_bias=True, sep_pos_embed=True,
               cls_embed=False, pred_t_dim=8, norm_pix_loss=True, trunc_init=False, mask_ratio=0.9,
               mask_type="random", target_norm="mae_st", encoder_mask_tokens=False)
CONFIGS = {"bench-S": BENCH_S, "bench-S-dense": dict(BENCH_S, encoder_mask_tokens=True)}


def flops_forward(c):
    """Forward FLOPs of one clip; the formula of org.stmae.mae.Flops. The sparse model's patch
    embedding is counted for the visible patches, as ours computes it; this reference (mae_st's
    order) embeds all of them, so its GFLOP/s here understate what it computes."""
    L = (c["num_frames"] // c["t_patch_size"]) * (c["img_size"] // c["patch_size"]) ** 2
    keep = int(L * (1 - c["mask_ratio"]))
    cls = 1 if c["cls_embed"] else 0
    D, Dd = c["embed_dim"], c["decoder_embed_dim"]
    patch_dim = c["t_patch_size"] * c["patch_size"] ** 2 * c["in_chans"]
    u = c["t_patch_size"] * c["pred_t_dim"] // c["num_frames"]
    pred_dim = u * c["patch_size"] ** 2 * c["in_chans"]

    def block(s, d, h):
        return 2.0 * s * d * 4 * d + 4.0 * s * s * d + 2.0 * s * d * h * 2

    dense = c["encoder_mask_tokens"]
    patches = L if dense else keep  # the patches the encoder sees
    s_enc = patches + cls
    enc = 2.0 * patches * patch_dim * D + c["depth"] * block(s_enc, D, int(D * c["mlp_ratio"]))
    s_dec = L + cls
    dec = 2.0 * patches * D * Dd + c["decoder_depth"] * block(s_dec, Dd, int(Dd * c["mlp_ratio"])) \
        + 2.0 * s_dec * Dd * pred_dim
    return enc + dec


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--configs", default="bench-S,bench-S-dense")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, {args.threads} threads", file=sys.stderr)
    for line in blas_report():  # warns on the reference BLAS (~20x slower here) and the pthread OpenBLAS (~3x)
        print("# " + line, file=sys.stderr)
    print("config,threads,clips_per_s,gflops,peak_rss_mb,step_ms,kernel")
    for name in args.configs.split(","):
        c = CONFIGS[name]
        model = MaskedAutoencoderViT(c)
        opt = torch.optim.AdamW(adamw_groups(model, 0.05), lr=1e-4, betas=(0.9, 0.95))
        n = c["batch_size"]
        x = torch.randn(n, c["in_chans"], c["num_frames"], c["img_size"], c["img_size"])
        times = []
        for i in range(args.warmup + args.steps):
            noise = torch.rand(_noise_shape(c, n))
            t0 = time.perf_counter()
            out = model(x, noise)
            opt.zero_grad(set_to_none=True)
            out["loss"].backward()
            opt.step()
            dt = time.perf_counter() - t0
            if i >= args.warmup:
                times.append(dt)
        step = statistics.median(times)
        gflops = 3 * flops_forward(c) * n / step / 1e9
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name},{args.threads},{n / step:.3f},{gflops:.1f},{rss:.0f},{step * 1000:.1f},torch")
        sys.stdout.flush()


def _noise_shape(c, n):
    L = (c["num_frames"] // c["t_patch_size"]) * (c["img_size"] // c["patch_size"]) ** 2
    return (n, L)


if __name__ == "__main__":
    main()
