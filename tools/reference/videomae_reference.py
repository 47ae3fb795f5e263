"""Reference VideoMAE pre-training model in plain PyTorch (our own code, no timm).

Written from ../../shared/reference-semantics.md (sections 1.5, 3.2, 4.2, 5.2, 5.4, 6.2,
7.3, 11.2), not from the official code. Parameter names equal VideoMAE's pre-training
state_dict names (modeling_pretrain.PretrainVisionTransformer):

  encoder.patch_embed.proj.{weight,bias}     Conv3d, kernel = stride = (tubelet, p, p)
  encoder.blocks.{i}.norm1 / norm2           LayerNorm(eps)
  encoder.blocks.{i}.attn.qkv.weight         [3D, D], rows q | k | v, no bias
  encoder.blocks.{i}.attn.q_bias / v_bias    [D] (the k bias is a fixed zero)
  encoder.blocks.{i}.attn.proj               Linear with bias
  encoder.blocks.{i}.mlp.fc1 / fc2           exact (erf) GELU between them
  encoder.norm
  encoder_to_decoder.weight                  [Dd, D], no bias
  mask_token                                 [1, 1, Dd]
  decoder.blocks.{i}.*, decoder.norm, decoder.head (Dd -> C*tubelet*p*p)

The fixed sin-cos tables (encoder width D, decoder width Dd, both over the L token
positions) are non-persistent buffers `encoder.pos_embed` and `pos_embed`: not parameters,
not in state_dict. Masking is VideoMAE tube masking driven by injected noise [N, H'W'].

Shapes: N batch, C channels, T frames, p spatial patch, tubelet t, T' = T/t,
H' = W' = img/p, L = T'H'W', K visible tokens, M = L - K masked tokens.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import mae_reference as R

# Every key of a VideoMAE-architecture dump's `config` (VideoMAE's argument names), with
# ViT-B pre-training values as defaults. decoder_num_classes is derived (C*tubelet*p*p).
DEFAULT_CONFIG = dict(
    batch_size=2, in_chans=3, img_size=224, patch_size=16, num_frames=16, tubelet_size=2,
    encoder_embed_dim=768, encoder_depth=12, encoder_num_heads=12, decoder_embed_dim=384,
    decoder_depth=4, decoder_num_heads=6, decoder_num_classes=1536, mlp_ratio=4.0,
    qkv_bias=True, norm_eps=1e-6, mask_ratio=0.9)
CONFIG_KEYS = list(DEFAULT_CONFIG)


def full_config(cfg):
    out = dict(DEFAULT_CONFIG)
    unknown = set(cfg) - set(out)
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}")
    out.update(cfg)
    C, p, t = out["in_chans"], out["patch_size"], out["tubelet_size"]
    if "decoder_num_classes" not in cfg:
        out["decoder_num_classes"] = C * t * p * p
    assert out["decoder_num_classes"] == C * t * p * p, "decoder.head must predict the tubelet"
    return out


def geometry(cfg):
    C, img, p = cfg["in_chans"], cfg["img_size"], cfg["patch_size"]
    T, t = cfg["num_frames"], cfg["tubelet_size"]
    assert img % p == 0 and T % t == 0
    tg, hg = T // t, img // p
    hw = hg * hg
    L = tg * hw
    n_mask = int(cfg["mask_ratio"] * hw)          # per temporal slot (truncates MASKED count)
    assert cfg["encoder_embed_dim"] % cfg["encoder_num_heads"] == 0
    assert cfg["decoder_embed_dim"] % cfg["decoder_num_heads"] == 0
    return dict(t_grid=tg, h_grid=hg, hw=hw, num_patches=L, num_masked=tg * n_mask,
                num_visible=tg * (hw - n_mask), pred_dim=C * t * p * p, grid_thw=[tg, hg, hg])


def tube_mask(noise, t_grid, mask_ratio):
    """Boolean mask [N, L] (True = masked) from noise [N, H'W']: in every temporal slot the
    int(ratio*H'W') spatial positions with the largest noise (stable ascending sort: the
    first H'W'-n_mask stay visible) are masked; mask[ti*H'W' + s] = spatial[s]."""
    N, hw = noise.shape
    n_mask = int(mask_ratio * hw)
    order = torch.sort(noise, dim=1, stable=True).indices
    spatial = torch.zeros(N, hw, dtype=torch.bool)
    spatial.scatter_(1, order[:, hw - n_mask:], True)
    return spatial.repeat(1, t_grid)


def visible_and_masked_ids(mask):
    """ids_keep [N, K] and ids_masked [N, M], both ascending token order (int64)."""
    N, L = mask.shape
    ar = torch.arange(L).expand(N, L)
    return ar[~mask].reshape(N, -1), ar[mask].reshape(N, -1)


class Attention(nn.Module):
    """Fused qkv Linear without bias + q_bias, v_bias (k bias zero); q scaled before q k^T."""

    def __init__(self, dim, num_heads, qkv_bias):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        if qkv_bias:
            self.q_bias = nn.Parameter(torch.zeros(dim))
            self.v_bias = nn.Parameter(torch.zeros(dim))
        else:
            self.q_bias = self.v_bias = None
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, n, dim = x.shape
        bias = None
        if self.q_bias is not None:
            bias = torch.cat([self.q_bias, torch.zeros_like(self.v_bias, requires_grad=False),
                              self.v_bias])
        qkv = F.linear(x, self.qkv.weight, bias)
        qkv = qkv.reshape(B, n, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = q * self.scale
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, n, dim))


class Block(nn.Module):
    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = R.Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class Encoder(nn.Module):
    def __init__(self, cfg, L):
        super().__init__()
        D, eps = cfg["encoder_embed_dim"], cfg["norm_eps"]
        self.patch_embed = R.PatchEmbed(cfg["in_chans"], D, cfg["tubelet_size"],
                                        cfg["patch_size"])
        self.register_buffer("pos_embed", R.sincos_table(L, D)[None], persistent=False)
        self.blocks = nn.ModuleList(
            Block(D, cfg["encoder_num_heads"], cfg["mlp_ratio"], cfg["qkv_bias"], eps)
            for _ in range(cfg["encoder_depth"]))
        self.norm = nn.LayerNorm(D, eps=eps)

    def forward(self, video, mask):
        """Returns (patch embedding [N, L, D] before the table, latent [N, K, D])."""
        emb = self.patch_embed(video)
        x = emb + self.pos_embed.type_as(emb).detach()
        N, _, D = x.shape
        x = x[~mask].reshape(N, -1, D)                # visible tokens, ascending
        for blk in self.blocks:
            x = blk(x)
        return emb, self.norm(x)


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        Dd, eps = cfg["decoder_embed_dim"], cfg["norm_eps"]
        self.blocks = nn.ModuleList(
            Block(Dd, cfg["decoder_num_heads"], cfg["mlp_ratio"], cfg["qkv_bias"], eps)
            for _ in range(cfg["decoder_depth"]))
        self.norm = nn.LayerNorm(Dd, eps=eps)
        self.head = nn.Linear(Dd, cfg["decoder_num_classes"])

    def forward(self, x, return_token_num):
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.norm(x[:, -return_token_num:]))


class PretrainVideoMAE(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        cfg = full_config(cfg)
        self.cfg, self.g = cfg, geometry(cfg)
        L, D, Dd = self.g["num_patches"], cfg["encoder_embed_dim"], cfg["decoder_embed_dim"]
        self.encoder = Encoder(cfg, L)
        self.decoder = Decoder(cfg)
        self.encoder_to_decoder = nn.Linear(D, Dd, bias=False)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, Dd))
        self.register_buffer("pos_embed", R.sincos_table(L, Dd)[None], persistent=False)
        self.initialize_weights()

    def initialize_weights(self):
        """Semantics 7.3: encoder/decoder Linears xavier_uniform with bias 0, LayerNorm 1/0,
        q_bias/v_bias 0 (already); the Conv3d patch embed and encoder_to_decoder keep the
        PyTorch defaults (from construction); mask_token trunc_normal std 0.02 cut at +-0.02."""
        for part in (self.encoder, self.decoder):
            for m in part.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, nn.LayerNorm):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
        nn.init.trunc_normal_(self.mask_token, std=0.02, a=-0.02, b=0.02)

    def forward_model(self, video, mask):
        """VideoMAE's model forward: predictions [N, M, pred_dim] for the masked tokens in
        ascending token order (plus intermediates)."""
        emb, latent = self.encoder(video, mask)
        x = self.encoder_to_decoder(latent)
        N, _, Dd = x.shape
        pos = self.pos_embed.type_as(x).detach().expand(N, -1, -1)
        pos_vis = pos[~mask].reshape(N, -1, Dd)
        pos_mask = pos[mask].reshape(N, -1, Dd)
        full = torch.cat([x + pos_vis, self.mask_token + pos_mask], dim=1)
        pred = self.decoder(full, pos_mask.shape[1])
        return pred, latent, emb

    def target(self, video, mask):
        """Semantics 6.2: un-normalise (float32 multiply, then add), patchify with depth
        tubelet over all frames ((t,y,x,c), channel fastest), normalise per token and channel
        with the unbiased std + 1e-6, keep the masked tokens in ascending order."""
        C, p, t = self.cfg["in_chans"], self.cfg["patch_size"], self.cfg["tubelet_size"]
        with torch.no_grad():
            std = torch.tensor(R.IMAGENET_STD, dtype=torch.float32).to(video).view(1, 3, 1, 1, 1)
            mean = torch.tensor(R.IMAGENET_MEAN, dtype=torch.float32).to(video).view(1, 3, 1, 1, 1)
            unnorm = video * std + mean
            v = R.patchify(unnorm, p, t)                        # [N, L, t*p*p*C]
            N, L, _ = v.shape
            v = v.reshape(N, L, t * p * p, C)
            v = (v - v.mean(dim=-2, keepdim=True)) / (
                v.var(dim=-2, unbiased=True, keepdim=True).sqrt() + R.NORM_PIX_EPS)
            v = v.reshape(N, L, t * p * p * C)
            return v[mask].reshape(N, -1, t * p * p * C)

    def forward(self, video, noise):
        mask = tube_mask(noise, self.g["t_grid"], self.cfg["mask_ratio"])
        pred, latent, emb = self.forward_model(video, mask)
        target = self.target(video, mask)
        loss = F.mse_loss(pred, target)
        ids_keep, ids_masked = visible_and_masked_ids(mask)
        return dict(loss=loss, pred=pred, target=target, latent=latent, patch_embed=emb,
                    mask=mask, ids_keep=ids_keep, ids_masked=ids_masked)


# ----------------------------------------------------------------------------------------
# semantics 11.4: the same model as an MAE-ST-style reference model

def mae_st_config(cfg):
    """The mae_reference config that computes the same function as VideoMAE config cfg."""
    cfg = full_config(cfg)
    return R.full_config(dict(
        batch_size=cfg["batch_size"], in_chans=cfg["in_chans"], img_size=cfg["img_size"],
        patch_size=cfg["patch_size"], num_frames=cfg["num_frames"],
        t_patch_size=cfg["tubelet_size"], embed_dim=cfg["encoder_embed_dim"],
        depth=cfg["encoder_depth"], num_heads=cfg["encoder_num_heads"],
        decoder_embed_dim=cfg["decoder_embed_dim"], decoder_depth=cfg["decoder_depth"],
        decoder_num_heads=cfg["decoder_num_heads"], mlp_ratio=cfg["mlp_ratio"],
        norm_eps=cfg["norm_eps"], qkv_bias=cfg["qkv_bias"], sep_pos_embed=False,
        cls_embed=False, pos_embed="sincos", pred_t_dim=cfg["num_frames"], norm_pix_loss=True,
        trunc_init=False, mask_ratio=cfg["mask_ratio"], mask_type="tube",
        target_norm="videomae", encoder_mask_tokens=False))


def _block_map(src, dst):
    """(videomae block prefix, mae_st block prefix) -> list of (mae_st name, function of the
    videomae state_dict giving that tensor)."""
    out = []
    for leaf in ("norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
                 "attn.proj.weight", "attn.proj.bias", "mlp.fc1.weight", "mlp.fc1.bias",
                 "mlp.fc2.weight", "mlp.fc2.bias"):
        out.append((f"{dst}.{leaf}", f"{src}.{leaf}"))
    return out


def to_mae_st_state(sd, cfg):
    """VideoMAE state_dict (names of this module) -> mae_st names (semantics 11.4): qkv rows
    split into q, k, v; q_bias/v_bias as q/v biases and a ZERO k bias; encoder_to_decoder
    as decoder_embed with a ZERO bias; decoder.head as decoder_pred."""
    cfg = full_config(cfg)
    out = {"patch_embed.proj.weight": sd["encoder.patch_embed.proj.weight"],
           "patch_embed.proj.bias": sd["encoder.patch_embed.proj.bias"],
           "norm.weight": sd["encoder.norm.weight"], "norm.bias": sd["encoder.norm.bias"],
           "decoder_embed.weight": sd["encoder_to_decoder.weight"],
           "decoder_embed.bias": torch.zeros(cfg["decoder_embed_dim"]),
           "mask_token": sd["mask_token"],
           "decoder_norm.weight": sd["decoder.norm.weight"],
           "decoder_norm.bias": sd["decoder.norm.bias"],
           "decoder_pred.weight": sd["decoder.head.weight"],
           "decoder_pred.bias": sd["decoder.head.bias"]}
    blocks = [(f"encoder.blocks.{i}", f"blocks.{i}") for i in range(cfg["encoder_depth"])]
    blocks += [(f"decoder.blocks.{i}", f"decoder_blocks.{i}")
               for i in range(cfg["decoder_depth"])]
    for src, dst in blocks:
        for d, s in _block_map(src, dst):
            out[d] = sd[s]
        q, k, v = sd[f"{src}.attn.qkv.weight"].chunk(3, dim=0)
        out.update({f"{dst}.attn.q.weight": q, f"{dst}.attn.k.weight": k,
                    f"{dst}.attn.v.weight": v})
        if cfg["qkv_bias"]:
            out.update({f"{dst}.attn.q.bias": sd[f"{src}.attn.q_bias"],
                        f"{dst}.attn.k.bias": torch.zeros_like(sd[f"{src}.attn.q_bias"]),
                        f"{dst}.attn.v.bias": sd[f"{src}.attn.v_bias"]})
    return out


def from_mae_st_grads(g, cfg):
    """Gradients under mae_st names -> VideoMAE names (the inverse of to_mae_st_state; the k
    bias and decoder_embed bias gradients have no counterpart and are dropped)."""
    cfg = full_config(cfg)
    out = {"encoder.patch_embed.proj.weight": g["patch_embed.proj.weight"],
           "encoder.patch_embed.proj.bias": g["patch_embed.proj.bias"],
           "encoder.norm.weight": g["norm.weight"], "encoder.norm.bias": g["norm.bias"],
           "encoder_to_decoder.weight": g["decoder_embed.weight"],
           "mask_token": g["mask_token"],
           "decoder.norm.weight": g["decoder_norm.weight"],
           "decoder.norm.bias": g["decoder_norm.bias"],
           "decoder.head.weight": g["decoder_pred.weight"],
           "decoder.head.bias": g["decoder_pred.bias"]}
    blocks = [(f"encoder.blocks.{i}", f"blocks.{i}") for i in range(cfg["encoder_depth"])]
    blocks += [(f"decoder.blocks.{i}", f"decoder_blocks.{i}")
               for i in range(cfg["decoder_depth"])]
    for dst, src in blocks:
        for s, d in _block_map(dst, src):
            out[d] = g[s]
        out[f"{dst}.attn.qkv.weight"] = torch.cat(
            [g[f"{src}.attn.{x}.weight"] for x in "qkv"], dim=0)
        if cfg["qkv_bias"]:
            out[f"{dst}.attn.q_bias"] = g[f"{src}.attn.q.bias"]
            out[f"{dst}.attn.v_bias"] = g[f"{src}.attn.v.bias"]
    return out
