"""Reference MAE-ST pre-training model in plain PyTorch (our own code, no timm).

Written from ../../shared/reference-semantics.md (sections 1-7), not from the official
code. Same semantics as mae_st's MaskedAutoencoderViT for every config key of the dump
format mae-ref-fixture-v1, plus two extensions the official class does not have:

  mask_type "tube"          VideoMAE tube masking driven by per-spatial-position noise
  target_norm "videomae"    VideoMAE target normalisation (per token and channel)
  encoder_mask_tokens True  dense "encoder with [M]" variant (see README.md)
  pos_embed "sincos"        VideoMAE's fixed 1-D sin-cos tables instead of learned ones
                            (an optional config key, written to a dump only when not the
                            default "learned"; used to map VideoMAE weights, semantics 11.4)

Shapes: N batch, C channels, T frames, p spatial patch, t temporal patch,
T' = T/t, H' = W' = img/p, L = T'H'W' tokens, D encoder width, Dd decoder width,
u = t * pred_t_dim // T frames per target patch, pred_dim = u*p*p*C.
Everything runs in the dtype of the parameters (float32 for the fixtures).
"""
import json

import torch
import torch.nn as nn

# Every key of the dump format's `config` object, with the mae_st recipe values
# (main_pretrain defaults + PRETRAIN.md) as defaults.
DEFAULT_CONFIG = dict(
    batch_size=2, in_chans=3, img_size=224, patch_size=16, num_frames=16, t_patch_size=2,
    embed_dim=1024, depth=24, num_heads=16, decoder_embed_dim=512, decoder_depth=4,
    decoder_num_heads=16, mlp_ratio=4.0, norm_eps=1e-6, qkv_bias=True, sep_pos_embed=True,
    cls_embed=True, pred_t_dim=8, norm_pix_loss=True, trunc_init=False, mask_ratio=0.9,
    mask_type="random", target_norm="mae_st", encoder_mask_tokens=False)
CONFIG_KEYS = list(DEFAULT_CONFIG)
# Optional extension keys: accepted by full_config, written to a dump only when they differ
# from these defaults (so dumps of the default model keep exactly the dump-format keys).
#   pos_embed "learned": mae_st's learned tables (sep_pos_embed chooses separable or joint);
#   pos_embed "sincos":  VideoMAE's fixed 1-D table over the L token positions (one for the
#                        encoder, width D; one for the decoder, width Dd); not parameters,
#                        sep_pos_embed is ignored, and a class token gets no position.
OPTIONAL_CONFIG = dict(pos_embed="learned")

# VideoMAE un-normalisation constants (ImageNet), used by target_norm "videomae".
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
NORM_PIX_EPS = 1e-6  # hard-coded in both originals (independent of norm_eps)


def full_config(cfg):
    out = dict(DEFAULT_CONFIG, **OPTIONAL_CONFIG)
    unknown = set(cfg) - set(out)
    if unknown:
        raise ValueError(f"unknown config keys {sorted(unknown)}")
    out.update(cfg)
    return out


def dump_config(cfg):
    """The config object as written to a dump: every dump-format key, plus the optional keys
    whose value is not the default."""
    cfg = full_config(cfg)
    return {k: v for k, v in cfg.items()
            if k in DEFAULT_CONFIG or v != OPTIONAL_CONFIG[k]}


def geometry(cfg):
    """Derived sizes; raises on configs the official code would reject."""
    C, img, p = cfg["in_chans"], cfg["img_size"], cfg["patch_size"]
    T, t, ptd = cfg["num_frames"], cfg["t_patch_size"], cfg["pred_t_dim"]
    assert img % p == 0 and T % t == 0, "img % patch and frames % t_patch must be 0"
    tg, hg = T // t, img // p
    hw = hg * hg
    L = tg * hw
    u = t * ptd // T                      # t_pred_patch_size (integer division, as mae_st)
    assert u >= 1 and ptd % u == 0 and ptd // u == tg, \
        "pred_t_dim must give pred_t_dim/u == T' target slots"
    if cfg["mask_type"] == "random":
        len_keep = int(L * (1 - cfg["mask_ratio"]))          # python double, truncated
    elif cfg["mask_type"] == "tube":
        len_keep = tg * (hw - int(cfg["mask_ratio"] * hw))   # VideoMAE: truncate MASKED count
    else:
        raise ValueError(cfg["mask_type"])
    assert cfg["target_norm"] in ("mae_st", "videomae")
    assert cfg.get("pos_embed", "learned") in ("learned", "sincos")
    assert cfg["embed_dim"] % cfg["num_heads"] == 0
    assert cfg["decoder_embed_dim"] % cfg["decoder_num_heads"] == 0
    return dict(t_grid=tg, h_grid=hg, hw=hw, num_patches=L, t_pred_patch_size=u,
                pred_dim=u * p * p * C, len_keep=len_keep, grid_thw=[tg, hg, hg])


# ----------------------------------------------------------------------------------------
# patch layout helpers (semantics section 1)

def patchify(video, p, u):
    """[N,C,T,H,W] -> [N, (T/u)*(H/p)*(W/p), u*p*p*C]; tokens (t,h,w) time slowest,
    patch vector (time-in-patch, row, column, channel) with channel fastest."""
    N, C, T, H, W = video.shape
    assert H == W and H % p == 0 and T % u == 0
    x = video.reshape(N, C, T // u, u, H // p, p, W // p, p)
    x = x.permute(0, 2, 4, 6, 3, 5, 7, 1)      # N, t, h, w, u, py, px, C
    return x.reshape(N, (T // u) * (H // p) * (W // p), u * p * p * C)


def unpatchify(x, C, T, H, W, p, u):
    N = x.shape[0]
    x = x.reshape(N, T // u, H // p, W // p, u, p, p, C)
    x = x.permute(0, 7, 1, 4, 2, 5, 3, 6)      # N, C, t, u, h, py, w, px
    return x.reshape(N, C, T, H, W)


def sincos_table(n, d):
    """VideoMAE's fixed 1-D table [n, d] (semantics 3.2): angle = pos / 10000^(2*(j//2)/d),
    sin on even j, cos on odd j (interleaved), computed in float64 numpy, cast to float32."""
    import numpy as np
    pos = np.arange(n, dtype=np.float64)[:, None]
    j = np.arange(d)
    angle = pos / np.power(10000, 2 * (j // 2) / d)[None, :]
    table = np.where(j % 2 == 0, np.sin(angle), np.cos(angle))
    return torch.from_numpy(table.astype(np.float32))


def target_frame_index(num_frames, pred_t_dim):
    """mae_st target frames: float32 CPU linspace(0, T-1, pred_t_dim) truncated to long."""
    return torch.linspace(0, num_frames - 1, pred_t_dim, dtype=torch.float32).long()


# ----------------------------------------------------------------------------------------
# masking (semantics section 4). Both return (ids_keep [N,K], ids_restore [N,L], mask [N,L])
# in mae_st's shuffle convention: ids_shuffle = (kept ids in encoder order, masked ids),
# ids_restore = argsort(ids_shuffle), ids_keep = ids_shuffle[:, :K], mask 1 = masked.

def random_masking_ids(noise, len_keep):
    """mae_st: keep the len_keep tokens with the smallest noise, in ascending-noise order."""
    N, L = noise.shape
    ids_shuffle = torch.argsort(noise, dim=1)
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :len_keep]
    mask = torch.ones(N, L, dtype=torch.float32)
    mask[:, :len_keep] = 0
    mask = torch.gather(mask, 1, ids_restore)
    return ids_keep, ids_restore, mask


def tube_masking_ids(noise, t_grid, mask_ratio):
    """VideoMAE tube masking from noise [N, H'W']: the int(ratio*H'W') positions with the
    LARGEST noise are masked in every temporal slot (ties: the lower index stays visible).
    Kept tokens are in ascending token order; ids_shuffle = visible ascending, then masked
    ascending."""
    N, hw = noise.shape
    n_mask = int(mask_ratio * hw)
    order = torch.sort(noise, dim=1, stable=True).indices
    spatial = torch.zeros(N, hw, dtype=torch.float32)
    spatial.scatter_(1, order[:, hw - n_mask:], 1.0)
    mask = spatial.repeat(1, t_grid)                       # mask[ti*hw + s] = spatial[s]
    ids_shuffle = torch.sort(mask, dim=1, stable=True).indices
    ids_restore = torch.argsort(ids_shuffle, dim=1)
    ids_keep = ids_shuffle[:, :t_grid * (hw - n_mask)]
    return ids_keep, ids_restore, mask


def masking_from_noise(cfg, noise):
    g = geometry(cfg)
    if cfg["mask_type"] == "random":
        return random_masking_ids(noise, g["len_keep"])
    return tube_masking_ids(noise, g["t_grid"], cfg["mask_ratio"])


def noise_shape(cfg):
    g = geometry(cfg)
    return [cfg["batch_size"], g["num_patches"] if cfg["mask_type"] == "random" else g["hw"]]


# ----------------------------------------------------------------------------------------
# transformer pieces (semantics section 5)

class Attention(nn.Module):
    """Separate q, k, v Linears (bias optional) + proj; logits = (q k^T) * scale."""

    def __init__(self, dim, num_heads, qkv_bias):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.q = nn.Linear(dim, dim, bias=qkv_bias)
        self.k = nn.Linear(dim, dim, bias=qkv_bias)
        self.v = nn.Linear(dim, dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, n, dim = x.shape

        def heads(y):  # [B, n, dim] -> [B, heads, n, head_dim], head-major features
            return y.reshape(B, n, self.num_heads, self.head_dim).transpose(1, 2)

        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(B, n, dim))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """Pre-norm ViT block: x + attn(norm1(x)), then + mlp(norm2(.))."""

    def __init__(self, dim, num_heads, mlp_ratio, qkv_bias, eps):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, num_heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, in_chans, dim, t, p):
        super().__init__()
        self.proj = nn.Conv3d(in_chans, dim, kernel_size=(t, p, p), stride=(t, p, p))

    def forward(self, x):                       # [N,C,T,H,W] -> [N, L, D], token order (t,h,w)
        return self.proj(x).flatten(2).transpose(1, 2)


# ----------------------------------------------------------------------------------------

class MaskedAutoencoderViT(nn.Module):
    """Parameter names equal mae_st's state_dict names (plus `encoder_mask_token` in the
    dense variant, which has no decoder `mask_token`)."""

    def __init__(self, cfg):
        super().__init__()
        cfg = full_config(cfg)
        self.cfg, self.g = cfg, geometry(cfg)
        D, Dd, eps = cfg["embed_dim"], cfg["decoder_embed_dim"], cfg["norm_eps"]
        tg, hw, L = self.g["t_grid"], self.g["hw"], self.g["num_patches"]
        sep, cls, dense = cfg["sep_pos_embed"], cfg["cls_embed"], cfg["encoder_mask_tokens"]
        fixed = cfg["pos_embed"] == "sincos"

        def zeros(*shape):
            return nn.Parameter(torch.zeros(*shape))

        # encoder
        self.patch_embed = PatchEmbed(cfg["in_chans"], D, cfg["t_patch_size"], cfg["patch_size"])
        if cls:
            self.cls_token = zeros(1, 1, D)
        if dense:
            self.encoder_mask_token = zeros(1, 1, D)
        if fixed:   # not parameters: non-persistent buffers (follow .double(), no state_dict)
            self.register_buffer("fixed_pos_embed", sincos_table(L, D)[None], persistent=False)
        elif sep:
            self.pos_embed_spatial = zeros(1, hw, D)
            self.pos_embed_temporal = zeros(1, tg, D)
            if cls:
                self.pos_embed_class = zeros(1, 1, D)
        else:
            self.pos_embed = zeros(1, L + int(cls), D)
        self.blocks = nn.ModuleList(
            Block(D, cfg["num_heads"], cfg["mlp_ratio"], cfg["qkv_bias"], eps)
            for _ in range(cfg["depth"]))
        self.norm = nn.LayerNorm(D, eps=eps)
        # decoder
        self.decoder_embed = nn.Linear(D, Dd)
        if not dense:
            self.mask_token = zeros(1, 1, Dd)
        if cls:
            self.decoder_cls_token = zeros(1, 1, Dd)
        if fixed:
            self.register_buffer("fixed_decoder_pos_embed", sincos_table(L, Dd)[None],
                                 persistent=False)
        elif sep:
            self.decoder_pos_embed_spatial = zeros(1, hw, Dd)
            self.decoder_pos_embed_temporal = zeros(1, tg, Dd)
            if cls:
                self.decoder_pos_embed_class = zeros(1, 1, Dd)
        else:
            self.decoder_pos_embed = zeros(1, L + int(cls), Dd)
        self.decoder_blocks = nn.ModuleList(
            Block(Dd, cfg["decoder_num_heads"], cfg["mlp_ratio"], cfg["qkv_bias"], eps)
            for _ in range(cfg["decoder_depth"]))
        self.decoder_norm = nn.LayerNorm(Dd, eps=eps)
        self.decoder_pred = nn.Linear(Dd, self.g["pred_dim"])
        self.initialize_weights()

    # -- init (semantics section 7.1) --------------------------------------------------
    def initialize_weights(self):
        trunc = self.cfg["trunc_init"]
        for name in ("cls_token", "pos_embed_spatial", "pos_embed_temporal",
                     "decoder_pos_embed_spatial", "decoder_pos_embed_temporal",
                     "pos_embed_class", "decoder_pos_embed_class",
                     "pos_embed", "decoder_pos_embed"):
            if hasattr(self, name):
                nn.init.trunc_normal_(getattr(self, name), std=0.02)
        w = self.patch_embed.proj.weight.data          # bias keeps the Conv3d default init
        tokens = [getattr(self, n) for n in ("mask_token", "encoder_mask_token")
                  if hasattr(self, n)]
        if trunc:
            nn.init.trunc_normal_(w)                   # std 1, cut at +-2 (sic)
            for tok in tokens:
                nn.init.trunc_normal_(tok, std=0.02)
        else:
            nn.init.xavier_uniform_(w.view(w.shape[0], -1))
            for tok in tokens:
                nn.init.normal_(tok, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                if trunc:
                    nn.init.trunc_normal_(m.weight, std=0.02)
                else:
                    nn.init.xavier_uniform_(m.weight)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        # decoder_cls_token is never initialised by mae_st: it stays zero.

    # -- positional tables -----------------------------------------------------------
    def _patch_pos(self, prefix):
        """[1, L, width] table for the patch tokens in raster order, and the class row
        [1, 1, width] (None without cls_embed, and with the fixed table: no class position)."""
        tg, hw = self.g["t_grid"], self.g["hw"]
        cls = self.cfg["cls_embed"]
        if self.cfg["pos_embed"] == "sincos":
            table, cls_row = getattr(self, "fixed_" + prefix + "pos_embed"), None
        elif self.cfg["sep_pos_embed"]:
            spatial = getattr(self, prefix + "pos_embed_spatial")
            temporal = getattr(self, prefix + "pos_embed_temporal")
            table = spatial.repeat(1, tg, 1) + torch.repeat_interleave(temporal, hw, dim=1)
            cls_row = getattr(self, prefix + "pos_embed_class") if cls else None
        else:
            full = getattr(self, prefix + "pos_embed")
            table = full[:, int(cls):, :]
            cls_row = full[:, :1, :] if cls else None
        return table, cls_row

    # -- forward -------------------------------------------------------------------
    def forward_encoder(self, x, ids_keep, mask):
        """x: patch embedding [N, L, D]. Returns latent after `norm`, class row removed:
        sparse [N, K, D] in ids_keep order; dense [N, L, D] in token order."""
        N, L, D = x.shape
        table, cls_row = self._patch_pos("")
        if self.cfg["encoder_mask_tokens"]:
            masked = mask.unsqueeze(-1).to(torch.bool)
            x = torch.where(masked, self.encoder_mask_token.expand(N, L, D), x)
            x = x + table
        else:
            idx = ids_keep.unsqueeze(-1).expand(-1, -1, D)
            x = torch.gather(x, 1, idx) + torch.gather(table.expand(N, -1, -1), 1, idx)
        if self.cfg["cls_embed"]:
            c = self.cls_token if cls_row is None else self.cls_token + cls_row
            x = torch.cat([c.expand(N, -1, -1), x], dim=1)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return x[:, 1:, :] if self.cfg["cls_embed"] else x

    def forward_decoder(self, latent, ids_restore):
        """Returns pred [N, L, pred_dim] in token order, class row removed."""
        x = self.decoder_embed(latent)
        N, K, Dd = x.shape
        L = self.g["num_patches"]
        if not self.cfg["encoder_mask_tokens"]:
            x = torch.cat([x, self.mask_token.expand(N, L - K, Dd)], dim=1)
            x = torch.gather(x, 1, ids_restore.unsqueeze(-1).expand(-1, -1, Dd))
        table, cls_row = self._patch_pos("decoder_")
        x = x + table
        if self.cfg["cls_embed"]:
            c = self.decoder_cls_token if cls_row is None else self.decoder_cls_token + cls_row
            x = torch.cat([c.expand(N, -1, -1), x], dim=1)
        for blk in self.decoder_blocks:
            x = blk(x)
        x = self.decoder_pred(self.decoder_norm(x))
        return x[:, 1:, :] if self.cfg["cls_embed"] else x

    def target(self, imgs):
        """Loss target [N, L, pred_dim] from the model input (semantics 1.4, 6.1, 6.2)."""
        cfg, g = self.cfg, self.g
        p, u, C = cfg["patch_size"], g["t_pred_patch_size"], cfg["in_chans"]
        idx = target_frame_index(cfg["num_frames"], cfg["pred_t_dim"]).to(imgs.device)
        clip = torch.index_select(imgs, 2, idx)
        if cfg["norm_pix_loss"] and cfg["target_norm"] == "videomae":
            if C == 3:   # un-normalise to [0,1] pixels: one multiply, then one add (float32)
                std = torch.tensor(IMAGENET_STD, dtype=torch.float32).to(imgs)
                mean = torch.tensor(IMAGENET_MEAN, dtype=torch.float32).to(imgs)
                clip = clip * std.view(1, 3, 1, 1, 1) + mean.view(1, 3, 1, 1, 1)
            t = patchify(clip, p, u)
            N, L, _ = t.shape
            t = t.reshape(N, L, u * p * p, C)          # (pixel, channel)
            mu = t.mean(dim=-2, keepdim=True)
            sd = t.var(dim=-2, unbiased=True, keepdim=True).sqrt()
            return ((t - mu) / (sd + NORM_PIX_EPS)).reshape(N, L, u * p * p * C)
        t = patchify(clip, p, u)
        if cfg["norm_pix_loss"]:
            mu = t.mean(dim=-1, keepdim=True)
            var = t.var(dim=-1, unbiased=True, keepdim=True)
            t = (t - mu) / (var + NORM_PIX_EPS) ** 0.5
        return t

    @staticmethod
    def loss_fn(pred, target, mask):
        per_token = ((pred - target) ** 2).mean(dim=-1)
        return (per_token * mask).sum() / mask.sum()

    def forward_ids(self, imgs, ids_keep, ids_restore, mask):
        """Full forward for a given masking. Returns a dict of loss and intermediates."""
        emb = self.patch_embed(imgs)
        latent = self.forward_encoder(emb, ids_keep, mask)
        pred = self.forward_decoder(latent, ids_restore)
        target = self.target(imgs)
        loss = self.loss_fn(pred, target, mask.to(pred.dtype))
        return dict(loss=loss, pred=pred, target=target, latent=latent, patch_embed=emb)

    def forward(self, imgs, noise):
        ids_keep, ids_restore, mask = masking_from_noise(self.cfg, noise)
        out = self.forward_ids(imgs, ids_keep, ids_restore, mask)
        out.update(ids_keep=ids_keep, ids_restore=ids_restore, mask=mask)
        return out


# ----------------------------------------------------------------------------------------
# AdamW parameter groups (mae_st misc.add_weight_decay, empty skip list)

def no_decay(name, param):
    return param.ndim == 1 or name.endswith(".bias")


def adamw_groups(model, weight_decay):
    dec, nodec = [], []
    for name, prm in model.named_parameters():
        (nodec if no_decay(name, prm) else dec).append(prm)
    return [dict(params=nodec, weight_decay=0.0), dict(params=dec, weight_decay=weight_decay)]


# ----------------------------------------------------------------------------------------
# minimal safetensors I/O (no dependency on the safetensors package)

_DT = {torch.float32: "F32", torch.int64: "I64", torch.float64: "F64"}
_TD = {v: k for k, v in _DT.items()}


def save_safetensors(path, tensors, metadata):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = dict(dtype=_DT[t.dtype], shape=list(t.shape),
                            data_offsets=[off, off + len(data)])
        blobs.append(data)
        off += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base, out = 8 + n, {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        dt = {"F32": "<f4", "I64": "<i8", "F64": "<f8"}[h["dtype"]]
        arr = np.frombuffer(raw[base + a:base + b], dtype=dt).reshape(h["shape"]).copy()
        out[name] = torch.from_numpy(arr)
    return out, meta
