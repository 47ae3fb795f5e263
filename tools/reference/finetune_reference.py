"""Reference fine-tuning pieces in plain PyTorch (our own code, no timm), written from
../../shared/reference-semantics.md sections 7.2, 7.4, 9.3 and 10, and the fixtures that
check ours against them:

  finetune-maest.safetensors     mae_st models_vit: cls token, separable learned positions,
                                 mean over the patch tokens (x[:, 1:]), the encoder's `norm`
                                 on the pooled vector, head
  finetune-videomae.safetensors  VideoMAE modeling_finetune: no cls token, fixed sin-cos table,
                                 mean over all tokens, a fresh `fc_norm`, head
  finetune-mixup.safetensors     one batch of mae_st/timm batch mixup and one of cutmix with a
                                 given lam and box centre (the batch partner is the flipped
                                 batch), their soft targets with label smoothing 0.1, and the
                                 layer-decay groups (lr scale and weight decay per name)

The classifier fixtures hold every parameter (perturbed as make_fixtures.py does), `input`,
`targets` (soft targets: smoothed one-hot mixed with the flipped batch, lam 0.7), `logits`,
`loss` (SoftTargetCrossEntropy, mean over the batch) and `grad.<param>`. Dropout and drop path
are identity here (evaluation mode): both are multiplications by constant masks.

Run:  /usr/bin/python3 tools/reference/finetune_reference.py --out testdata/fixtures/finetune
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mae_reference as R  # noqa: E402
from make_fixtures import perturb  # noqa: E402


class VideoClassifier(nn.Module):
    """Parameter names = mae_st models_vit (plus `fc_norm` for VideoMAE pooling)."""

    def __init__(self, cfg, num_classes, pooling):
        super().__init__()
        cfg = R.full_config(cfg)
        self.cfg, self.g, self.pooling = cfg, R.geometry(cfg), pooling
        D, eps = cfg["embed_dim"], cfg["norm_eps"]
        tg, hw, L = self.g["t_grid"], self.g["hw"], self.g["num_patches"]
        self.patch_embed = R.PatchEmbed(cfg["in_chans"], D, cfg["t_patch_size"], cfg["patch_size"])
        if cfg["cls_embed"]:
            self.cls_token = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        if cfg["pos_embed"] == "sincos":
            self.register_buffer("fixed_pos_embed", R.sincos_table(L, D)[None], persistent=False)
        elif cfg["sep_pos_embed"]:
            self.pos_embed_spatial = nn.Parameter(torch.randn(1, hw, D) * 0.02)
            self.pos_embed_temporal = nn.Parameter(torch.randn(1, tg, D) * 0.02)
            if cfg["cls_embed"]:
                self.pos_embed_class = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        else:
            self.pos_embed = nn.Parameter(torch.randn(1, L + int(cfg["cls_embed"]), D) * 0.02)
        self.blocks = nn.ModuleList(
            R.Block(D, cfg["num_heads"], cfg["mlp_ratio"], cfg["qkv_bias"], eps)
            for _ in range(cfg["depth"]))
        if pooling == "mae_st":
            self.norm = nn.LayerNorm(D, eps=eps)       # the pre-trained norm, on the pooled vector
        else:
            self.fc_norm = nn.LayerNorm(D, eps=eps)    # fresh; the encoder's norm is Identity
        self.head = nn.Linear(D, num_classes)

    def table(self):
        tg, hw = self.g["t_grid"], self.g["hw"]
        cls = self.cfg["cls_embed"]
        if self.cfg["pos_embed"] == "sincos":
            return self.fixed_pos_embed, None
        if self.cfg["sep_pos_embed"]:
            t = self.pos_embed_spatial.repeat(1, tg, 1) + torch.repeat_interleave(
                self.pos_embed_temporal, hw, dim=1)
            return t, (self.pos_embed_class if cls else None)
        return self.pos_embed[:, int(cls):, :], (self.pos_embed[:, :1, :] if cls else None)

    def forward(self, x):
        x = self.patch_embed(x)
        N = x.shape[0]
        table, cls_row = self.table()
        x = x + table
        if self.cfg["cls_embed"]:
            c = self.cls_token if cls_row is None else self.cls_token + cls_row
            x = torch.cat([c.expand(N, -1, -1), x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        if self.pooling == "mae_st":
            x = x[:, 1:, :].mean(dim=1) if self.cfg["cls_embed"] else x.mean(dim=1)
            x = self.norm(x)
        else:
            x = self.fc_norm(x.mean(dim=1))
        return self.head(x)


def soft_target_cross_entropy(logits, target):
    return torch.sum(-target * torch.log_softmax(logits, dim=-1), dim=-1).mean()


def mixup_target(labels, num_classes, lam, smoothing):
    off = smoothing / num_classes
    on = 1.0 - smoothing + off
    y1 = torch.full((len(labels), num_classes), off).scatter_(1, labels[:, None], on)
    y2 = torch.full((len(labels), num_classes), off).scatter_(1, labels.flip(0)[:, None], on)
    return y1 * lam + y2 * (1.0 - lam)


def rand_bbox(h, w, lam, cy, cx):
    ratio = math.sqrt(1 - lam)
    cut_h, cut_w = int(h * ratio), int(w * ratio)
    clip = lambda v, hi: int(min(max(v, 0), hi))  # noqa: E731
    return clip(cy - cut_h // 2, h), clip(cy + cut_h // 2, h), clip(cx - cut_w // 2, w), clip(cx + cut_w // 2, w)


def mix_batch(x, lam, box):
    x = x.clone()
    if box is not None:
        yl, yh, xl, xh = box
        x[..., yl:yh, xl:xh] = x.flip(0)[..., yl:yh, xl:xh]
        return x, 1.0 - (yh - yl) * (xh - xl) / float(x.shape[-2] * x.shape[-1])
    flipped = x.flip(0).mul_(1.0 - lam)
    return x.mul_(lam).add_(flipped), lam


def layer_id(name, depth):
    if name in ("cls_token", "mask_token") or name.startswith("patch_embed") or name.startswith("pos_embed"):
        return 0
    if name.startswith("blocks."):
        return int(name.split(".")[1]) + 1
    return depth + 1


def param_groups(model, layer_decay, weight_decay):
    """mae_st's param_groups_lrd as a table: name -> (lr_scale, weight_decay)."""
    depth = len(model.blocks)
    skip = {"cls_token", "pos_embed", "pos_embed_spatial", "pos_embed_temporal", "pos_embed_class"}
    out = {}
    for n, p in model.named_parameters():
        wd = 0.0 if (p.ndim == 1 or n in skip) else weight_decay
        out[n] = (layer_decay ** (depth + 1 - layer_id(n, depth)), wd)
    return out


TINY = dict(batch_size=3, in_chans=3, img_size=16, patch_size=8, num_frames=4, t_patch_size=2,
            embed_dim=24, depth=2, num_heads=2, decoder_embed_dim=16, decoder_depth=1,
            decoder_num_heads=2, pred_t_dim=2, mask_ratio=0.5)  # masking is unused; 0.5 keeps the config valid
CLASSES = 5


def classifier_fixture(name, pooling, cfg, seed):
    torch.manual_seed(seed)
    model = VideoClassifier(cfg, CLASSES, pooling)
    gen = torch.Generator().manual_seed(2000 + seed)
    perturb(model, gen)
    with torch.no_grad():
        model.head.weight.normal_(0, 0.3, generator=gen)   # a trained-looking head: non-trivial logits
    full = R.full_config(cfg)
    x = torch.randn(full["batch_size"], full["in_chans"], full["num_frames"], full["img_size"],
                    full["img_size"], generator=gen)
    labels = torch.randint(0, CLASSES, (full["batch_size"],), generator=gen)
    targets = mixup_target(labels, CLASSES, 0.7, 0.1)
    logits = model(x)
    loss = soft_target_cross_entropy(logits, targets)
    model.zero_grad()
    loss.backward()
    t = {n: p.detach() for n, p in model.named_parameters()}
    t.update({"grad." + n: p.grad for n, p in model.named_parameters()})
    t.update(input=x, labels=labels, targets=targets, logits=logits.detach(), loss=loss.detach())
    meta = {"format": "stmae-finetune-fixture-v1", "config": json.dumps(R.dump_config(cfg)),
            "pooling": pooling, "num_classes": str(CLASSES), "torch_version": torch.__version__,
            "config_name": name}
    return t, meta


def mixup_fixture():
    gen = torch.Generator().manual_seed(77)
    x = torch.randn(4, 3, 4, 10, 12, generator=gen)
    labels = torch.tensor([0, 3, 1, 3])
    mixed, lam_m = mix_batch(x, 0.65, None)
    box = rand_bbox(10, 12, 0.6, 7, 2)
    cut, lam_c = mix_batch(x, 0.6, box)
    model = VideoClassifier(TINY, CLASSES, "mae_st")
    groups = param_groups(model, 0.75, 0.05)
    t = {"input": x, "labels": labels, "mixup.input": mixed, "mixup.targets": mixup_target(labels, 4, lam_m, 0.1),
         "cutmix.input": cut, "cutmix.targets": mixup_target(labels, 4, lam_c, 0.1)}
    meta = {"format": "stmae-finetune-fixture-v1", "num_classes": "4", "smoothing": "0.1",
            "mixup_lam": "0.65", "cutmix_lam": "0.6", "cutmix_center": json.dumps([7, 2]),
            "cutmix_box": json.dumps(list(box)), "cutmix_lam_corrected": repr(lam_c),
            "config": json.dumps(R.dump_config(TINY)), "layer_decay": "0.75", "weight_decay": "0.05",
            "param_groups": json.dumps({n: list(v) for n, v in groups.items()}),
            "torch_version": torch.__version__}
    return t, meta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="testdata/fixtures/finetune")
    a = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(a.out, exist_ok=True)
    jobs = {
        "finetune-maest": lambda: classifier_fixture("finetune-maest", "mae_st", TINY, 11),
        "finetune-videomae": lambda: classifier_fixture(
            "finetune-videomae", "videomae", dict(TINY, cls_embed=False, pos_embed="sincos"), 12),
        "finetune-mixup": mixup_fixture,
    }
    for name, job in jobs.items():
        t, meta = job()
        path = os.path.join(a.out, name + ".safetensors")
        R.save_safetensors(path, t, meta)
        print("wrote", path, f"({len(t)} tensors)")


if __name__ == "__main__":
    main()
