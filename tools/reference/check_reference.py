"""Self-checks of the reference model and of written fixtures.

    /usr/bin/python3 tools/reference/check_reference.py [--fixtures testdata/fixtures]

Prints one line per check and exits non-zero if any fails.
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mae_reference as R  # noqa: E402
import make_fixtures as M  # noqa: E402
import videomae_reference as V  # noqa: E402

FAILED = []


def check(name, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {name} {detail}")
    if not ok:
        FAILED.append(name)


def close(a, b, rel=1e-4):
    """Dump-format tolerance: max|a-b| <= rel * max(1e-3, max|b|)."""
    a, b = a.double(), b.double()
    err = (a - b).abs().max().item() if a.numel() else 0.0
    ref = max(1e-3, b.abs().max().item() if b.numel() else 0.0)
    return err <= rel * ref, err / ref


def check_patch_embed_as_linear():
    g = torch.Generator().manual_seed(0)
    for (C, t, p) in [(3, 2, 8), (3, 4, 8), (2, 1, 4)]:
        conv = R.PatchEmbed(C, 16, t, p)
        x = torch.randn(2, C, 2 * t, 3 * p, 3 * p, generator=g)
        w = conv.proj.weight.detach()
        wlin = w.permute(0, 2, 3, 4, 1).reshape(16, -1)   # Wlin[d,((dt*p+dy)*p+dx)*C+c]
        lin = R.patchify(x, p, t) @ wlin.t() + conv.proj.bias.detach()
        ok, r = close(lin, conv(x).detach(), 1e-5)
        check(f"conv3d == linear on (t,y,x,c) patch vectors C={C} t={t} p={p}", ok, f"rel {r:.2e}")


def check_patchify_roundtrip():
    x = torch.randn(2, 3, 8, 24, 24)
    for p, u in [(8, 1), (8, 2), (4, 4), (24, 8)]:
        y = R.unpatchify(R.patchify(x, p, u), 3, 8, 24, 24, p, u)
        check(f"unpatchify(patchify(x)) == x p={p} u={u}", torch.equal(x, y))
    # element formula of semantics 1.3
    p, u = 8, 2
    v = R.patchify(x, p, u)
    n, ti, hi, wi, ui, py, px, c = 1, 2, 1, 2, 1, 5, 3, 2
    l, k = (ti * 3 + hi) * 3 + wi, ((ui * p + py) * p + px) * 3 + c
    check("patch vector index formula", v[n, l, k].item() ==
          x[n, c, ti * u + ui, hi * p + py, wi * p + px].item())


def check_linspace():
    table = [((16, 8), [0, 2, 4, 6, 8, 10, 12, 15]),
             ((32, 8), [0, 4, 8, 13, 17, 22, 26, 31]),
             ((8, 4), [0, 2, 4, 7]),
             ((64, 16), [0, 4, 8, 12, 16, 21, 25, 29, 33, 37, 42, 46, 50, 54, 58, 63]),
             ((8, 8), list(range(8))), ((4, 2), [0, 3])]
    for (T, n), want in table:
        got = R.target_frame_index(T, n).tolist()
        check(f"target frames T={T} pred_t_dim={n}", got == want, str(got))
    v = torch.linspace(0, 1, 10)[6].item()
    check("linspace(0,1,10)[6] == f32(0.6666667)", v == torch.tensor(0.6666667).item(), repr(v))
    got = torch.linspace(0, 2, 15).long().tolist()
    check("linspace(0,2,15) indices", got == [0] * 8 + [1] * 6 + [2], str(got))
    got = torch.linspace(0, 5, 16).long().tolist()
    want = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4, 4, 5]
    # vectorised torch path; depends on the CPU vector width (informational)
    print(f"{'ok  ' if got == want else 'note'} linspace(0,5,16) indices {got}")


def check_counts():
    cfg = R.full_config(dict(img_size=224, patch_size=16, num_frames=16, t_patch_size=2))
    g = torch.Generator().manual_seed(0)
    for mtype, want in [("random", {0.5: 784, 0.75: 392, 0.8: 313, 0.9: 156, 0.95: 78}),
                        ("tube", {0.5: 784, 0.75: 392, 0.8: 320, 0.9: 160, 0.95: 80})]:
        got = {}
        for r in want:
            c = dict(cfg, mask_type=mtype, mask_ratio=r)
            noise = torch.rand(R.noise_shape(c), generator=g)
            ids_keep, ids_restore, mask = R.masking_from_noise(c, noise)
            assert ids_keep.shape[1] == R.geometry(c)["len_keep"]
            assert ((1 - mask).sum(1) == ids_keep.shape[1]).all()
            got[r] = ids_keep.shape[1]
        check(f"kept counts L=1568 {mtype}", got == want, str(got))


def check_mask_invariants():
    g = torch.Generator().manual_seed(1)
    for name, (_, cfg, _) in M.FIXTURES.items():
        cfg = R.full_config(cfg)
        geo = R.geometry(cfg)
        noise = torch.rand(R.noise_shape(cfg), generator=g)
        keep, restore, mask = R.masking_from_noise(cfg, noise)
        L, K = geo["num_patches"], geo["len_keep"]
        shuffle = torch.argsort(restore, dim=1)
        ok = torch.equal(shuffle[:, :K], keep)                       # restore inverts shuffle
        ok &= bool((torch.gather(mask, 1, keep) == 0).all())         # kept are unmasked
        ok &= bool((mask.sum(1) == L - K).all())
        if cfg["mask_type"] == "random":                            # ascending noise order
            ok &= bool((torch.gather(noise, 1, keep).diff(dim=1) > 0).all())
            ok &= bool((torch.gather(noise, 1, shuffle).diff(dim=1) > 0).all())
        else:
            hw, tg = geo["hw"], geo["t_grid"]
            m = mask.view(-1, tg, hw)
            ok &= bool((m == m[:, :1]).all())                          # same in every slot
            ok &= bool((keep.diff(dim=1) > 0).all())                   # visible ascending
            ok &= bool((shuffle[:, K:].diff(dim=1) > 0).all())         # masked ascending
            nm = int(cfg["mask_ratio"] * hw)
            top = torch.topk(noise, nm, dim=1).indices                 # largest noise masked
            ok &= bool((torch.gather(m[:, 0], 1, top) == 1).all())
        check(f"mask invariants {name} ({cfg['mask_type']})", ok)


def check_targets():
    for name in ("tiny-default", "tiny-tube-videomae"):
        model, cfg, imgs, noise, _, _ = M.build(name)
        t = model.target(imgs).double()
        eps = R.NORM_PIX_EPS
        if cfg["target_norm"] == "mae_st":
            raw = R.patchify(torch.index_select(imgs, 2, R.target_frame_index(
                cfg["num_frames"], cfg["pred_t_dim"])), cfg["patch_size"],
                model.g["t_pred_patch_size"]).double()
            var = raw.var(-1, unbiased=True)
            ok1, _ = close(t.mean(-1), torch.zeros_like(var), 1e-3)
            ok2, r = close(t.var(-1, unbiased=True), var / (var + eps), 1e-4)
        else:
            C = cfg["in_chans"]
            tt = t.view(*t.shape[:2], -1, C)
            ok1, _ = close(tt.mean(-2), torch.zeros_like(tt.mean(-2)), 1e-3)
            sd = tt.std(-2)                           # == std/(std+eps) if computed right
            ok2, r = close(sd, sd.clamp(max=1), 1e-6)
            ok2 &= bool((sd < 1).all()) and bool((sd > 0.99).all())
        check(f"normalised target stats {name} ({cfg['target_norm']})", ok1 and ok2)


def check_order_invariance():
    for name in ("tiny-default", "tiny-joint-nocls", "tiny-tube-videomae", "tiny-trunc-oddsize"):
        model, cfg, imgs, noise, _, _ = M.build(name)
        with torch.no_grad():
            out = model(imgs, noise)
            keep, restore = out["ids_keep"], out["ids_restore"]
            K = keep.shape[1]
            shuffle = torch.argsort(restore, dim=1)
            perm = torch.stack([torch.randperm(K) for _ in range(keep.shape[0])])
            shuffle2 = torch.cat([torch.gather(keep, 1, perm), shuffle[:, K:]], dim=1)
            out2 = model.forward_ids(imgs, shuffle2[:, :K], torch.argsort(shuffle2, dim=1),
                                     out["mask"])
        ok, r = close(out2["loss"], out["loss"], 1e-5)
        okp, rp = close(out2["pred"], out["pred"], 1e-5)
        check(f"loss invariant to visible-token order {name}", ok and okp,
              f"loss rel {r:.1e} pred rel {rp:.1e}")


def check_k_bias_grad():
    model, cfg, imgs, noise, _, _ = M.build("tiny-default")
    model(imgs, noise)["loss"].backward()
    worst = max(p.grad.abs().max().item() for n, p in model.named_parameters()
                if n.endswith("attn.k.bias"))
    check("grad attn.k.bias ~ 0", worst < 1e-6, f"max {worst:.1e}")


class swapped_params:
    """Temporarily replace a module's parameters by given tensors (functional call)."""

    def __init__(self, model, tensors):
        self.model, self.tensors, self.saved = model, tensors, {}

    def __enter__(self):
        for name, t in self.tensors.items():
            mod, leaf = self._owner(name)
            self.saved[name] = mod._parameters[leaf]
            del mod._parameters[leaf]
            setattr(mod, leaf, t)

    def __exit__(self, *exc):
        for name, p in self.saved.items():
            mod, leaf = self._owner(name)
            delattr(mod, leaf)
            mod._parameters[leaf] = p

    def _owner(self, name):
        *path, leaf = name.split(".")
        mod = self.model
        for part in path:
            mod = getattr(mod, part)
        return mod, leaf


def check_gradcheck():
    small = dict(batch_size=2, img_size=8, patch_size=4, num_frames=4, t_patch_size=2,
                 embed_dim=8, depth=1, num_heads=2, decoder_embed_dim=8, decoder_depth=1,
                 decoder_num_heads=2, mlp_ratio=2.0, pred_t_dim=2, mask_ratio=0.5)
    variants = {
        "sparse sep cls random mae_st": dict(small),
        "dense joint nocls tube videomae": dict(small, encoder_mask_tokens=True,
                                                 mask_type="tube", target_norm="videomae",
                                                 sep_pos_embed=False, cls_embed=False,
                                                 pred_t_dim=4),
        "sparse tube raw trunc": dict(small, mask_type="tube", norm_pix_loss=False,
                                      trunc_init=True, qkv_bias=False),
        "sparse sincos cls tube videomae": dict(small, pos_embed="sincos", mask_type="tube",
                                                target_norm="videomae", pred_t_dim=4),
    }
    for vname, cfg in variants.items():
        torch.manual_seed(0)
        model = R.MaskedAutoencoderViT(cfg).double()
        M.perturb(model, torch.Generator().manual_seed(1))
        g = torch.Generator().manual_seed(2)
        imgs = torch.randn(2, 3, 4, 8, 8, generator=g, dtype=torch.float64)
        noise = torch.rand(R.noise_shape(model.cfg), generator=g)
        keep, restore, mask = R.masking_from_noise(model.cfg, noise)
        names = [n for n, _ in model.named_parameters()]
        params = tuple(p.detach().clone().requires_grad_(True) for p in model.parameters())

        def f(*ps):
            with swapped_params(model, dict(zip(names, ps))):
                return model.forward_ids(imgs, keep, restore, mask)["loss"]

        ok = torch.autograd.gradcheck(f, params, eps=1e-6, atol=1e-6, rtol=1e-4,
                                      raise_exception=False)
        check(f"gradcheck float64 ({vname}, {sum(p.numel() for p in params)} params)", ok)


def check_sincos_table():
    t = R.sincos_table(3, 4)
    want = torch.tensor([[0, 1, 0, 1], [0.84147096, 0.5403023, 0.00999983, 0.99995],
                         [0.9092974, -0.41614684, 0.01999867, 0.9998]])
    ok, r = close(t, want, 1e-6)
    check("sin-cos table test vector (n=3, d=4, semantics 3.2)", ok, f"rel {r:.1e}")


def check_videomae_gradcheck():
    cfg = dict(batch_size=2, img_size=8, patch_size=4, num_frames=4, tubelet_size=2,
               encoder_embed_dim=8, encoder_depth=1, encoder_num_heads=2, decoder_embed_dim=8,
               decoder_depth=1, decoder_num_heads=2, mlp_ratio=2.0, mask_ratio=0.5)
    torch.manual_seed(0)
    model = V.PretrainVideoMAE(cfg).double()
    M.perturb(model, torch.Generator().manual_seed(1))
    g = torch.Generator().manual_seed(2)
    imgs = torch.randn(2, 3, 4, 8, 8, generator=g, dtype=torch.float64)
    mask = V.tube_mask(torch.rand(2, 4, generator=g), model.g["t_grid"], cfg["mask_ratio"])
    names = [n for n, _ in model.named_parameters()]
    params = tuple(p.detach().clone().requires_grad_(True) for p in model.parameters())
    target = model.target(imgs, mask)

    def f(*ps):
        with swapped_params(model, dict(zip(names, ps))):
            return torch.nn.functional.mse_loss(model.forward_model(imgs, mask)[0], target)

    ok = torch.autograd.gradcheck(f, params, eps=1e-6, atol=1e-6, rtol=1e-4,
                                  raise_exception=False)
    check(f"gradcheck float64 (VideoMAE architecture, {sum(p.numel() for p in params)} params)",
          ok)


# ------------------------------------------------------------------------------------------

REQUIRED_META = ["format", "config", "seed", "num_patches", "len_keep", "grid_thw",
                 "t_pred_patch_size", "pred_dim", "torch_version", "config_name"]


def model_from(t, cfg):
    model = R.MaskedAutoencoderViT(cfg)
    names = [n for n, _ in model.named_parameters()]
    missing = [n for n in names if n not in t or "grad." + n not in t]
    model.load_state_dict({n: t[n] for n in names}, strict=True)
    return model, names, missing


def verify_fixture(path, cache):
    t, meta = R.load_safetensors(path)
    base = os.path.basename(path)
    if meta.get("arch") == "videomae":
        verify_videomae_fixture(path, t, meta)
        return
    ok = all(k in meta for k in REQUIRED_META) and meta["format"] == M.FORMAT
    cfg = json.loads(meta["config"])
    ok &= sorted(cfg) == sorted(R.CONFIG_KEYS)
    geo = R.geometry(cfg)
    ok &= meta["len_keep"] == str(geo["len_keep"]) and meta["pred_dim"] == str(geo["pred_dim"])
    check(f"{base}: metadata complete", ok)
    if "base_fixture" in meta:
        bt, _ = cache.get(meta["base_fixture"]) or R.load_safetensors(
            os.path.join(os.path.dirname(path), meta["base_fixture"]))
        model, names, _ = model_from(bt, cfg)
        hp = json.loads(meta["adamw"])
        nodecay = set(json.loads(meta["adamw_no_decay_params"]))
        groups = [dict(params=[p for n, p in model.named_parameters() if n in nodecay],
                       weight_decay=0.0),
                  dict(params=[p for n, p in model.named_parameters() if n not in nodecay],
                       weight_decay=hp["weight_decay"])]
        opt = torch.optim.AdamW(groups, lr=hp["lr"], betas=tuple(hp["betas"]), eps=hp["eps"],
                                foreach=False)
        worst = 0.0
        for k in range(1, int(meta["adamw_steps"]) + 1):
            opt.zero_grad(set_to_none=True)
            loss = model(bt["input"], bt["noise"])["loss"]
            if k >= 2:
                worst = max(worst, abs(loss.item() - t[f"loss.step{k}"].item()))
            loss.backward()
            if "clip_grad_norm" in meta:
                tot = torch.nn.utils.clip_grad_norm_(list(model.parameters()),
                                                     float(meta["clip_grad_norm"]))
                worst = max(worst, abs(tot.item() - t[f"grad_norm.step{k}"].item()))
            opt.step()
            for n, p in model.named_parameters():
                worst = max(worst, (p.detach() - t[f"step{k}.{n}"]).abs().max().item())
        check(f"{base}: replays {meta['adamw_steps']} AdamW steps from {meta['base_fixture']}",
              worst <= 1e-6, f"max abs {worst:.1e}")
        return
    cache[base] = (t, meta)
    model, names, missing = model_from(t, cfg)
    check(f"{base}: every parameter and grad.<param> present ({len(names)})", not missing,
          str(missing))
    out = model(t["input"], t["noise"])
    out["loss"].backward()
    ok = all(torch.equal(out[k], t[k]) for k in ("ids_keep", "ids_restore", "mask"))
    ok &= torch.equal(R.target_frame_index(cfg["num_frames"], cfg["pred_t_dim"]),
                      t["target_frame_index"])
    check(f"{base}: ids/mask/target_frame_index exact", ok)
    worst = 0.0
    pairs = [(k, out[k]) for k in ("target", "pred", "loss")]
    pairs += [("act.patch_embed", out["patch_embed"]), ("act.latent", out["latent"])]
    pairs += [("grad." + n, p.grad) for n, p in model.named_parameters()]
    for k, v in pairs:
        if t[k].shape != v.shape:
            check(f"{base}: shape {k}", False)
            continue
        ok, r = close(v, t[k])
        worst = max(worst, r)
    check(f"{base}: recomputed outputs/grads within 1e-4", worst <= 1e-4, f"worst rel {worst:.1e}")
    verify_independent(path, t, cfg)
    # conditioning: float64 recompute of every dumped float tensor vs the float32 dump
    m64 = model.double()
    m64.zero_grad()
    out = m64(t["input"].double(), t["noise"])
    out["loss"].backward()
    worst, wname = 0.0, ""
    pairs = [(k, out[k]) for k in ("target", "pred", "loss")]
    pairs += [("grad." + n, p.grad) for n, p in m64.named_parameters()]
    for k, v in pairs:
        _, r = close(v, t[k])
        if k.endswith("attn.k.bias"):
            r = (v - t[k].double()).abs().max().item() / 1e-2   # absolute 1e-6 rule
        if r > worst:
            worst, wname = r, k
    check(f"{base}: float64 recompute within 1e-5 (float32 margin)", worst <= 1e-5,
          f"worst rel {worst:.1e} ({wname})")


# ------------------------------------------------------------------------------------------
# An independent float64 numpy forward written directly from the semantics doc (loops and
# explicit index formulas, no code shared with mae_reference), used to cross-check fixtures.

def np_linspace_index(T, n):
    """Torch CPU float32 linspace(0, T-1, n) (scalar path, single rounding), truncated."""
    import numpy as np
    start, end = np.float32(0), np.float32(T - 1)
    step = np.float32((np.float64(end) - np.float64(start)) / (n - 1)) if n > 1 else 0
    out = []
    for i in range(n):
        if i < n // 2:
            v = np.float32(np.float64(start) + np.float64(step) * i)
        else:
            v = np.float32(np.float64(end) - np.float64(step) * (n - 1 - i))
        out.append(int(v))
    return out


def np_forward(t, cfg):
    import math
    import numpy as np
    erf = np.vectorize(math.erf)

    def P(name):
        return t[name].double().numpy()

    x = t["input"].double().numpy()
    N, C, T, H, _ = x.shape
    p, tp = cfg["patch_size"], cfg["t_patch_size"]
    tg, hg = T // tp, H // p
    hw, L = hg * hg, tg * hg * hg
    u = tp * cfg["pred_t_dim"] // T
    cls, sep, dense = cfg["cls_embed"], cfg["sep_pos_embed"], cfg["encoder_mask_tokens"]
    eps = cfg["norm_eps"]

    def patches(video, depth):      # [N, slots*hw, depth*p*p*C], (t, y, x, c) channel fastest
        out = np.zeros((N, L, depth * p * p * C))
        for n in range(N):
            for ti in range(tg):
                for hi in range(hg):
                    for wi in range(hg):
                        blk = video[n, :, ti * depth:(ti + 1) * depth,
                                    hi * p:(hi + 1) * p, wi * p:(wi + 1) * p]
                        out[n, (ti * hg + hi) * hg + wi] = blk.transpose(1, 2, 3, 0).ravel()
        return out

    def ln(z, pre):
        mu = z.mean(-1, keepdims=True)
        var = ((z - mu) ** 2).mean(-1, keepdims=True)
        return (z - mu) / np.sqrt(var + eps) * P(pre + ".weight") + P(pre + ".bias")

    def lin(z, pre, bias=True):
        y = z @ P(pre + ".weight").T
        return y + P(pre + ".bias") if bias and (pre + ".bias") in t else y

    def block(z, pre, heads):
        h = ln(z, pre + ".norm1")
        q, k, v = (lin(h, f"{pre}.attn.{s}") for s in "qkv")
        D = z.shape[-1]
        hd = D // heads
        o = np.zeros_like(z)
        for j in range(heads):
            sl = slice(j * hd, (j + 1) * hd)
            a = q[..., sl] @ k[..., sl].transpose(0, 2, 1) * hd ** -0.5
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            o[..., sl] = a @ v[..., sl]
        z = z + lin(o, pre + ".attn.proj")
        h = lin(ln(z, pre + ".norm2"), pre + ".mlp.fc1")
        h = 0.5 * h * (1 + erf(h / math.sqrt(2)))
        return z + lin(h, pre + ".mlp.fc2")

    def pos(prefix):                 # patch rows [L, width] and class row
        if cfg.get("pos_embed", "learned") == "sincos":     # VideoMAE table, no class row
            width = t["decoder_embed.weight" if prefix else "patch_embed.proj.weight"].shape[0]
            # float64 formula, rounded to float32 once as VideoMAE does
            rows = np.array([[math.sin(l / 10000 ** (2 * (j // 2) / width)) if j % 2 == 0
                              else math.cos(l / 10000 ** (2 * (j // 2) / width))
                              for j in range(width)] for l in range(L)])
            return rows.astype(np.float32).astype(np.float64), None
        if sep:
            sp, tm = P(prefix + "pos_embed_spatial")[0], P(prefix + "pos_embed_temporal")[0]
            rows = np.stack([sp[l % hw] + tm[l // hw] for l in range(L)])
            return rows, (P(prefix + "pos_embed_class")[0] if cls else None)
        full = P(prefix + "pos_embed")[0]
        return full[int(cls):], (full[:1] if cls else None)

    # patch embedding as a Linear with the permuted conv weight
    w = P("patch_embed.proj.weight")
    D = w.shape[0]
    wlin = w.transpose(0, 2, 3, 4, 1).reshape(D, -1)
    emb = patches(x, tp) @ wlin.T + P("patch_embed.proj.bias")

    # masking from the noise
    noise = t["noise"].numpy()
    keep, masked = [], np.ones((N, L))
    for n in range(N):
        if cfg["mask_type"] == "random":
            K = int(L * (1 - cfg["mask_ratio"]))
            kn = list(np.argsort(noise[n], kind="stable")[:K])
        else:
            nm = int(cfg["mask_ratio"] * hw)
            vis = set(np.argsort(noise[n], kind="stable")[:hw - nm].tolist())
            kn = [l for l in range(L) if l % hw in vis]
        keep.append(kn)
        masked[n, kn] = 0

    # encoder
    prow, pcls = pos("")
    lat = []
    for n in range(N):
        if dense:
            z = np.where(masked[n][:, None] == 1, P("encoder_mask_token")[0, 0], emb[n]) + prow
        else:
            z = emb[n][keep[n]] + prow[keep[n]]
        if cls:
            z = np.concatenate([P("cls_token")[0] + (0 if pcls is None else pcls), z])
        z = z[None]
        for i in range(cfg["depth"]):
            z = block(z, f"blocks.{i}", cfg["num_heads"])
        z = ln(z, "norm")[0]
        lat.append(z[1:] if cls else z)
    lat = np.stack(lat)

    # decoder
    drow, dcls = pos("decoder_")
    pred = []
    for n in range(N):
        y = lin(lat[n], "decoder_embed")
        if not dense:
            full = np.repeat(P("mask_token")[0], L, axis=0)
            full[keep[n]] = y
            y = full
        y = y + drow
        if cls:
            y = np.concatenate([P("decoder_cls_token")[0] + (0 if dcls is None else dcls), y])
        y = y[None]
        for i in range(cfg["decoder_depth"]):
            y = block(y, f"decoder_blocks.{i}", cfg["decoder_num_heads"])
        y = lin(ln(y, "decoder_norm"), "decoder_pred")[0]
        pred.append(y[1:] if cls else y)
    pred = np.stack(pred)

    # target and loss
    frames = np_linspace_index(T, cfg["pred_t_dim"])
    clip = x[:, :, frames]
    vmae = cfg["norm_pix_loss"] and cfg["target_norm"] == "videomae"
    if vmae and C == 3:
        clip = clip * np.array(R.IMAGENET_STD)[None, :, None, None, None] + \
            np.array(R.IMAGENET_MEAN)[None, :, None, None, None]
    tgt = patches(clip, u)
    if vmae:
        v = tgt.reshape(N, L, -1, C)
        tgt = ((v - v.mean(2, keepdims=True)) / (v.std(2, ddof=1, keepdims=True) + 1e-6))
        tgt = tgt.reshape(N, L, -1)
    elif cfg["norm_pix_loss"]:
        tgt = (tgt - tgt.mean(-1, keepdims=True)) / np.sqrt(tgt.var(-1, ddof=1, keepdims=True)
                                                            + 1e-6)
    per_tok = ((pred - tgt) ** 2).mean(-1)
    loss = (per_tok * masked).sum() / masked.sum()
    return dict(emb=emb, keep=keep, mask=masked, latent=lat, pred=pred, target=tgt,
                loss=np.array(loss), frames=frames)


def verify_independent(path, t, cfg):
    import numpy as np
    base = os.path.basename(path)
    o = np_forward(t, cfg)
    ok = o["frames"] == t["target_frame_index"].tolist()
    ok &= np.array_equal(o["mask"], t["mask"].numpy())
    if cfg["mask_type"] == "random":        # ascending-noise order
        ok &= o["keep"] == t["ids_keep"].tolist()
    else:
        ok &= [sorted(k) for k in o["keep"]] == t["ids_keep"].tolist()
    check(f"{base}: independent numpy masking/frames agree", ok)
    worst = 0.0
    for k, ref in [("emb", "act.patch_embed"), ("latent", "act.latent"), ("pred", "pred"),
                   ("target", "target"), ("loss", "loss")]:
        a = torch.from_numpy(np.asarray(o[k]))
        b = t[ref].double()
        if a.shape != b.shape:
            check(f"{base}: independent shape {ref}", False, f"{tuple(a.shape)} vs {tuple(b.shape)}")
            continue
        _, r = close(b, a)
        worst = max(worst, r)
    check(f"{base}: independent float64 numpy forward within 1e-4", worst <= 1e-4,
          f"worst rel {worst:.1e}")


# ------------------------------------------------------------------------------------------
# VideoMAE-architecture dumps ("arch": "videomae")

REQUIRED_VIDEOMAE_META = ["format", "arch", "config", "imagenet_mean", "imagenet_std", "seed",
                          "torch_version", "config_name", "mask_dtype"]


def verify_videomae_fixture(path, t, meta):
    import numpy as np
    base = os.path.basename(path)
    cfg = json.loads(meta["config"])
    ok = all(k in meta for k in REQUIRED_VIDEOMAE_META) and meta["format"] == M.FORMAT
    ok &= sorted(cfg) == sorted(V.CONFIG_KEYS) and V.full_config(cfg) == cfg
    ok &= json.loads(meta["imagenet_mean"]) == list(R.IMAGENET_MEAN)
    ok &= json.loads(meta["imagenet_std"]) == list(R.IMAGENET_STD)
    check(f"{base}: metadata complete (arch videomae, VideoMAE config names)", ok)
    geo = V.geometry(cfg)
    N, L, K, Mk = cfg["batch_size"], geo["num_patches"], geo["num_visible"], geo["num_masked"]
    D, Dd, pd = cfg["encoder_embed_dim"], cfg["decoder_embed_dim"], geo["pred_dim"]
    hw, tg = geo["hw"], geo["t_grid"]
    model = V.PretrainVideoMAE(cfg)
    names = [n for n, _ in model.named_parameters()]
    missing = [n for n in names if n not in t or "grad." + n not in t]
    check(f"{base}: every VideoMAE parameter and grad.<param> present ({len(names)})",
          not missing, str(missing))
    model.load_state_dict({n: t[n] for n in names}, strict=True)
    extra = set(t) - set(names) - {"grad." + n for n in names} - {
        "table.encoder.pos_embed", "table.pos_embed", "input", "noise", "mask", "ids_keep",
        "ids_masked", "act.patch_embed", "act.latent", "target", "pred", "loss"}
    want_shapes = {"input": [N, cfg["in_chans"], cfg["num_frames"], cfg["img_size"],
                             cfg["img_size"]], "noise": [N, hw], "mask": [N, L],
                   "ids_keep": [N, K], "ids_masked": [N, Mk], "act.patch_embed": [N, L, D],
                   "act.latent": [N, K, D], "target": [N, Mk, pd], "pred": [N, Mk, pd],
                   "loss": [], "table.encoder.pos_embed": [1, L, D], "table.pos_embed": [1, L, Dd]}
    bad = [k for k, s in want_shapes.items() if list(t[k].shape) != s]
    bad += [k for k in ("ids_keep", "ids_masked") if t[k].dtype != torch.int64]
    bad += [k for k in want_shapes if k not in ("ids_keep", "ids_masked")
            and t[k].dtype != torch.float32]
    check(f"{base}: no unknown tensors, shapes and dtypes as documented", not extra and not bad,
          str(sorted(extra)) + str(bad))

    # fixed tables: our helper exactly, and an independent math.sin/cos loop
    ok = torch.equal(t["table.encoder.pos_embed"], R.sincos_table(L, D)[None])
    ok &= torch.equal(t["table.pos_embed"], R.sincos_table(L, Dd)[None])
    worst = 0.0
    for key, d in (("table.encoder.pos_embed", D), ("table.pos_embed", Dd)):
        ref = torch.tensor([[(math.sin if j % 2 == 0 else math.cos)(
            l / 10000 ** (2 * (j // 2) / d)) for j in range(d)] for l in range(L)],
            dtype=torch.float64)
        worst = max(worst, (t[key][0].double() - ref).abs().max().item())
    check(f"{base}: sin-cos tables (exact; independent loop)", ok and worst < 1e-7,
          f"max abs {worst:.1e}")

    # masking conventions, checked independently of the model's code
    noise, mask = t["noise"], t["mask"]
    ok = set(mask.unique().tolist()) <= {0.0, 1.0}
    m = mask.view(N, tg, hw)
    ok &= bool((m == m[:, :1]).all()) and bool((mask.sum(1) == Mk).all())
    nm = int(cfg["mask_ratio"] * hw)
    top = torch.topk(noise, nm, dim=1).indices
    ok &= bool((torch.gather(m[:, 0], 1, top) == 1).all())
    for n in range(N):
        ok &= t["ids_keep"][n].tolist() == [l for l in range(L) if mask[n, l] == 0]
        ok &= t["ids_masked"][n].tolist() == [l for l in range(L) if mask[n, l] == 1]
    _, _, rmask = R.tube_masking_ids(noise, tg, cfg["mask_ratio"])
    ok &= torch.equal(rmask, mask)
    check(f"{base}: tube mask / ids_keep / ids_masked conventions", ok)

    # recompute with the VideoMAE model
    model.zero_grad()
    out = model(t["input"], noise)
    out["loss"].backward()
    ok = torch.equal(out["mask"].to(torch.float32), mask)
    ok &= torch.equal(out["ids_keep"], t["ids_keep"]) and torch.equal(out["ids_masked"],
                                                                       t["ids_masked"])
    worst = 0.0
    pairs = [(k, out[k]) for k in ("target", "pred", "loss")]
    pairs += [("act.patch_embed", out["patch_embed"]), ("act.latent", out["latent"])]
    pairs += [("grad." + n, p.grad) for n, p in model.named_parameters()]
    for k, v in pairs:
        worst = max(worst, close(v, t[k])[1])
    check(f"{base}: recomputed ids/mask exact, outputs/grads within 1e-4",
          ok and worst <= 1e-4, f"worst rel {worst:.1e}")

    # semantics 11.4: the same weights in the MAE-ST reference (sincos tables, no cls, k bias
    # 0, decoder_embed bias 0, pred_t_dim = num_frames, tube masking, videomae target)
    mcfg = V.mae_st_config(cfg)
    mm = R.MaskedAutoencoderViT(mcfg)
    mm.load_state_dict(V.to_mae_st_state({n: t[n] for n in names}, cfg), strict=True)
    mo = mm(t["input"], noise)
    mo["loss"].backward()
    sel = mo["mask"].bool()
    ok = torch.equal(mo["mask"], mask) and torch.equal(mo["ids_keep"], t["ids_keep"])
    shuffle = torch.argsort(mo["ids_restore"], dim=1)
    ok &= torch.equal(shuffle[:, K:], t["ids_masked"])
    grads = V.from_mae_st_grads({n: p.grad for n, p in mm.named_parameters()}, cfg)
    groups = {"loss": [("loss", mo["loss"])],
              "pred": [("pred", mo["pred"][sel].reshape(N, Mk, pd))],
              "target": [("target", mo["target"][sel].reshape(N, Mk, pd))],
              "act": [("act.patch_embed", mo["patch_embed"]), ("act.latent", mo["latent"])],
              "grads": [("grad." + n, grads[n]) for n in names]}
    report, worst_all = [], 0.0
    for gname, items in groups.items():
        w, wn = 0.0, ""
        for k, v in items:
            r = close(v, t[k])[1]
            if r >= w:
                w, wn = r, k
        worst_all = max(worst_all, w)
        report.append(f"{gname} {w:.1e}" + (f" ({wn})" if gname in ("grads", "act") else ""))
    kb = max(p.grad.abs().max().item() for n, p in mm.named_parameters()
             if n.endswith("attn.k.bias"))
    check(f"{base}: semantics 11.4 MAE-ST mapping reproduces loss/pred/target/grads (rel 1e-5)",
          ok and worst_all <= 1e-5 and kb < 1e-6,
          "max rel: " + ", ".join(report) + f"; |grad k.bias| {kb:.1e}")

    # independent float64 numpy forward (np_forward, loops and index formulas) on the mapped
    # weights; its own tube masking, sin-cos tables, attention and videomae target
    tn = {k: v.detach() for k, v in V.to_mae_st_state({n: t[n] for n in names}, cfg).items()}
    tn.update(input=t["input"], noise=noise)
    del tn["decoder_embed.bias"]                      # no bias at all (not even a zero one)
    for i in list(tn):
        if i.endswith("attn.k.bias"):
            del tn[i]
    o = np_forward(tn, mcfg)
    ok = np.array_equal(o["mask"], mask.numpy().astype(np.float64))
    ok &= [sorted(k) for k in o["keep"]] == t["ids_keep"].tolist()
    selm = o["mask"].astype(bool)
    worst = 0.0
    for k, ref in [(o["emb"], "act.patch_embed"), (o["latent"], "act.latent"),
                   (o["pred"][selm].reshape(N, Mk, pd), "pred"),
                   (o["target"][selm].reshape(N, Mk, pd), "target"), (o["loss"], "loss")]:
        worst = max(worst, close(t[ref].double(), torch.from_numpy(np.asarray(k)))[1])
    check(f"{base}: independent float64 numpy forward within 1e-4", ok and worst <= 1e-4,
          f"worst rel {worst:.1e}")

    # conditioning: float64 recompute of the VideoMAE model vs the float32 dump
    m64 = model.double()
    m64.zero_grad()
    out = m64(t["input"].double(), noise)
    out["loss"].backward()
    worst, wname = 0.0, ""
    pairs = [(k, out[k]) for k in ("target", "pred", "loss")]
    pairs += [("grad." + n, p.grad) for n, p in m64.named_parameters()]
    for k, v in pairs:
        r = close(v, t[k])[1]
        if r > worst:
            worst, wname = r, k
    check(f"{base}: float64 recompute within 1e-5 (float32 margin)", worst <= 1e-5,
          f"worst rel {worst:.1e} ({wname})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", help="directory of written fixtures to verify")
    ap.add_argument("--skip-gradcheck", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)
    check_patch_embed_as_linear()
    check_patchify_roundtrip()
    check_linspace()
    check_counts()
    check_mask_invariants()
    check_targets()
    check_order_invariance()
    check_k_bias_grad()
    check_sincos_table()
    if not args.skip_gradcheck:
        check_gradcheck()
        check_videomae_gradcheck()
    if args.fixtures:
        cache = {}
        files = sorted(os.listdir(args.fixtures), key=lambda f: ("adamw" in f, f))
        for f in files:
            if f.endswith(".safetensors"):
                verify_fixture(os.path.join(args.fixtures, f), cache)
    print("FAILED: " + ", ".join(FAILED) if FAILED else "all checks passed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
