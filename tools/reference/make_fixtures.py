"""Write the mae-ref-fixture-v1 reference dumps for the small configs below.

    /usr/bin/python3 tools/reference/make_fixtures.py --out testdata/fixtures

Deterministic: every fixture seeds its own RNG streams, and torch runs single-threaded so
that float summation order (and therefore every byte) is the same on every run.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mae_reference as R  # noqa: E402
import videomae_reference as V  # noqa: E402

FORMAT = "mae-ref-fixture-v1"

# Common tiny shape: 8 frames of 32x32, 8x8 patches, 2-frame tubelets -> T'=4, H'=W'=4, L=64.
TINY = dict(batch_size=2, in_chans=3, img_size=32, patch_size=8, num_frames=8, t_patch_size=2,
            embed_dim=32, depth=2, num_heads=4, decoder_embed_dim=32, decoder_depth=2,
            decoder_num_heads=2, mlp_ratio=4.0, norm_eps=1e-6, qkv_bias=True,
            sep_pos_embed=True, cls_embed=True, pred_t_dim=4, norm_pix_loss=True,
            trunc_init=False, mask_ratio=0.8, mask_type="random", target_norm="mae_st",
            encoder_mask_tokens=False)

# name -> (seed, config, input normalisation)
FIXTURES = {
    # mae_st recipe in miniature: u=1 target frame per token, frames [0,2,4,7]; keeps 12 of 64
    "tiny-default": (1, dict(TINY), "kinetics"),
    # joint pos_embed, no class tokens, no q/k/v bias, raw-pixel target, full tubelet (u=2)
    "tiny-joint-nocls": (2, dict(TINY, sep_pos_embed=False, cls_embed=False, qkv_bias=False,
                                 norm_pix_loss=False, pred_t_dim=8, mask_ratio=0.75,
                                 decoder_depth=1), "kinetics"),
    # VideoMAE tube masking (int(0.8*16)=12 masked per slot -> keeps 16, random would keep 12)
    # and VideoMAE target normalisation on an ImageNet-normalised clip, full tubelet target
    "tiny-tube-videomae": (3, dict(TINY, mask_type="tube", target_norm="videomae",
                                   pred_t_dim=8), "imagenet"),
    # dense "encoder with [M]" variant, otherwise tiny-default
    "tiny-dense": (4, dict(TINY, encoder_mask_tokens=True), "kinetics"),
    # dense + tube + joint + no cls + no qkv bias + videomae target
    "tiny-dense-tube-joint": (5, dict(TINY, encoder_mask_tokens=True, mask_type="tube",
                                      target_norm="videomae", sep_pos_embed=False,
                                      cls_embed=False, qkv_bias=False, pred_t_dim=8,
                                      mask_ratio=0.75, decoder_depth=1), "imagenet"),
    # trunc_init, 24px with 8px patches (3x3), 4-frame tubelets (T'=2, L=18), u=2 with frames
    # [0,2,4,7], mlp_ratio 2, eps 1e-5, head dims 16 (encoder) and 8 (decoder); keeps 4 of 18
    "tiny-trunc-oddsize": (6, dict(TINY, img_size=24, t_patch_size=4, embed_dim=48,
                                   num_heads=3, decoder_embed_dim=24, decoder_num_heads=3,
                                   mlp_ratio=2.0, norm_eps=1e-5, trunc_init=True,
                                   pred_t_dim=4, mask_ratio=0.75), "kinetics"),
    # t_patch_size 1 (T' = T = 4, u = 1, every frame), random masking 0.9 (keeps int(6.4)=6)
    "tiny-tpatch1": (7, dict(TINY, num_frames=4, t_patch_size=1, pred_t_dim=4, mask_ratio=0.9,
                             embed_dim=24, num_heads=2, decoder_embed_dim=16,
                             decoder_num_heads=1, decoder_depth=1), "kinetics"),
}

# VideoMAE-architecture dumps ("arch": "videomae"): name -> (seed, VideoMAE config).
# T'=4, H'=W'=4, L=64; int(0.75*16)=12 masked per slot -> 16 visible, 48 masked; head 384.
# Encoder head dim 8 (scale not exact in float32), decoder head dim 16.
VIDEOMAE_FIXTURES = {
    "tiny-videomae-arch": (8, dict(batch_size=2, in_chans=3, img_size=32, patch_size=8,
                                   num_frames=8, tubelet_size=2, encoder_embed_dim=32,
                                   encoder_depth=2, encoder_num_heads=4, decoder_embed_dim=32,
                                   decoder_depth=2, decoder_num_heads=2, mlp_ratio=4.0,
                                   qkv_bias=True, norm_eps=1e-6, mask_ratio=0.75)),
}

# optimizer dumps: name -> (base fixture, clip_grad_norm or None)
ADAMW = dict(lr=1e-3, betas=[0.9, 0.95], eps=1e-8, weight_decay=0.05)
ADAMW_STEPS = 3
OPT_FIXTURES = {
    "tiny-default-adamw": ("tiny-default", None),
    "tiny-default-adamw-clip": ("tiny-default", 0.02),
}

NORMS = {"kinetics": ((0.45, 0.45, 0.45), (0.225, 0.225, 0.225)),
         "imagenet": (R.IMAGENET_MEAN, R.IMAGENET_STD)}


def perturb(model, gen):
    """Make zero/one-initialised parameters non-trivial so that they cannot hide bugs:
    biases and LayerNorm shifts ~N(0, 0.05), LayerNorm scales 1 + N(0, 0.1), class tokens,
    mask tokens and positional embeddings rescaled to ~N(0, 0.1) (plus noise)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            def rnd(std):
                return torch.randn(p.shape, generator=gen) * std
            leaf = name.rsplit(".", 1)[-1]
            if leaf.endswith("bias"):                        # also VideoMAE q_bias/v_bias
                p.add_(rnd(0.05))
            elif leaf == "weight" and p.ndim == 1:          # LayerNorm scale
                p.add_(rnd(0.1))
            elif "pos_embed" in name or "token" in name:
                p.mul_(5.0).add_(rnd(0.02))


def make_input(cfg, norm, gen):
    """A random clip in [0,1) normalised with the named constants: [N, C, T, H, W]."""
    shape = (cfg["batch_size"], cfg["in_chans"], cfg["num_frames"], cfg["img_size"],
             cfg["img_size"])
    x = torch.rand(shape, generator=gen)
    mean, std = NORMS[norm]
    mean = torch.tensor(mean).view(1, -1, 1, 1, 1)
    std = torch.tensor(std).view(1, -1, 1, 1, 1)
    return (x - mean) / std


def build(name):
    """Model with perturbed weights, input and noise for fixture `name`."""
    seed, cfg, norm = FIXTURES[name]
    cfg = R.full_config(cfg)
    torch.manual_seed(seed)                      # init uses the global RNG, like mae_st
    model = R.MaskedAutoencoderViT(cfg)
    gen = torch.Generator().manual_seed(1000 + seed)
    perturb(model, gen)
    imgs = make_input(cfg, norm, gen)
    noise = torch.rand(R.noise_shape(cfg), generator=gen)
    return model, cfg, imgs, noise, seed, norm


def base_metadata(name, cfg, seed):
    g = R.geometry(cfg)
    return {"format": FORMAT, "config": json.dumps(R.dump_config(cfg), sort_keys=False),
            "seed": str(seed), "num_patches": str(g["num_patches"]),
            "len_keep": str(g["len_keep"]), "grid_thw": json.dumps(g["grid_thw"]),
            "t_pred_patch_size": str(g["t_pred_patch_size"]), "pred_dim": str(g["pred_dim"]),
            "torch_version": torch.__version__, "config_name": name}


def make_fixture(name):
    model, cfg, imgs, noise, seed, norm = build(name)
    model.zero_grad()
    out = model(imgs, noise)
    out["loss"].backward()
    t = {n: p.detach().clone() for n, p in model.named_parameters()}
    t.update({"grad." + n: p.grad.detach().clone() for n, p in model.named_parameters()})
    t.update(input=imgs, noise=noise, ids_keep=out["ids_keep"], ids_restore=out["ids_restore"],
             mask=out["mask"], target=out["target"], pred=out["pred"],
             loss=out["loss"].detach().reshape([]),
             target_frame_index=R.target_frame_index(cfg["num_frames"], cfg["pred_t_dim"]))
    t["act.patch_embed"] = out["patch_embed"]
    t["act.latent"] = out["latent"]
    meta = base_metadata(name, cfg, seed)
    meta["input_normalisation"] = norm
    return t, meta


def build_videomae(name):
    """VideoMAE model (semantics 7.3 init, then perturbed), ImageNet-normalised input and
    tube noise [N, H'W'] for VIDEOMAE_FIXTURES[name]."""
    seed, cfg = VIDEOMAE_FIXTURES[name]
    cfg = V.full_config(cfg)
    torch.manual_seed(seed)
    model = V.PretrainVideoMAE(cfg)
    gen = torch.Generator().manual_seed(1000 + seed)
    perturb(model, gen)
    imgs = make_input(cfg, "imagenet", gen)
    noise = torch.rand([cfg["batch_size"], model.g["hw"]], generator=gen)
    return model, cfg, imgs, noise, seed


def make_videomae_fixture(name):
    model, cfg, imgs, noise, seed = build_videomae(name)
    model.zero_grad()
    out = model(imgs, noise)
    out["loss"].backward()
    t = {n: p.detach().clone() for n, p in model.named_parameters()}
    t.update({"grad." + n: p.grad.detach().clone() for n, p in model.named_parameters()})
    t.update({"table.encoder.pos_embed": model.encoder.pos_embed,
              "table.pos_embed": model.pos_embed,
              "input": imgs, "noise": noise, "mask": out["mask"].to(torch.float32),
              "ids_keep": out["ids_keep"], "ids_masked": out["ids_masked"],
              "act.patch_embed": out["patch_embed"], "act.latent": out["latent"],
              "target": out["target"], "pred": out["pred"],
              "loss": out["loss"].detach().reshape([])})
    g = model.g
    meta = {"format": FORMAT, "arch": "videomae", "config": json.dumps(cfg, sort_keys=False),
            "imagenet_mean": json.dumps(list(R.IMAGENET_MEAN)),
            "imagenet_std": json.dumps(list(R.IMAGENET_STD)),
            "seed": str(seed), "num_patches": str(g["num_patches"]),
            "num_visible": str(g["num_visible"]), "num_masked": str(g["num_masked"]),
            "grid_thw": json.dumps(g["grid_thw"]), "pred_dim": str(g["pred_dim"]),
            "mask_dtype": "F32", "input_normalisation": "imagenet",
            "torch_version": torch.__version__, "config_name": name}
    return t, meta


def make_opt_fixture(name):
    base, clip = OPT_FIXTURES[name]
    model, cfg, imgs, noise, seed, _ = build(base)
    opt = torch.optim.AdamW(R.adamw_groups(model, ADAMW["weight_decay"]), lr=ADAMW["lr"],
                            betas=tuple(ADAMW["betas"]), eps=ADAMW["eps"], foreach=False)
    t = {}
    for k in range(1, ADAMW_STEPS + 1):
        opt.zero_grad(set_to_none=True)
        loss = model(imgs, noise)["loss"]
        if k >= 2:
            t[f"loss.step{k}"] = loss.detach().reshape([])
        loss.backward()
        if clip is not None:
            params = [p for _, p in model.named_parameters()]
            total = torch.nn.utils.clip_grad_norm_(params, clip)
            t[f"grad_norm.step{k}"] = total.detach().reshape([])
        opt.step()
        for n, p in model.named_parameters():
            t[f"step{k}.{n}"] = p.detach().clone()
    meta = base_metadata(name, cfg, seed)
    meta.update(adamw=json.dumps(ADAMW),
                adamw_no_decay_params=json.dumps(
                    [n for n, p in model.named_parameters() if R.no_decay(n, p)]),
                adamw_steps=str(ADAMW_STEPS), base_fixture=base + ".safetensors")
    if clip is not None:
        meta["clip_grad_norm"] = str(clip)
    return t, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--out", default="testdata/fixtures")
    ap.add_argument("--only", nargs="*", help="fixture names (default: all)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    names = list(FIXTURES) + list(OPT_FIXTURES) + list(VIDEOMAE_FIXTURES)
    for name in args.only or names:
        if name in OPT_FIXTURES:
            t, meta = make_opt_fixture(name)
        elif name in VIDEOMAE_FIXTURES:
            t, meta = make_videomae_fixture(name)
        else:
            t, meta = make_fixture(name)
        path = os.path.join(args.out, name + ".safetensors")
        R.save_safetensors(path, t, meta)
        extra = ""
        if "loss" in t:
            extra = f"loss {t['loss'].item():.6f}"
        elif "grad_norm.step1" in t:
            extra = f"grad_norm.step1 {t['grad_norm.step1'].item():.4f}"
        print(f"{path}: {len(t)} tensors, {os.path.getsize(path)} bytes {extra}")


if __name__ == "__main__":
    main()
