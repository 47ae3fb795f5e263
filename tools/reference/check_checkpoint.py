"""Loads a stmae checkpoint into the PyTorch reference model with strict key and shape checks.

Our checkpoints carry mae_st's state_dict names; this shows that a model with those names (our
reference, which mirrors mae_st's MaskedAutoencoderViT) takes them as they are, and runs it.

    /usr/bin/python3 tools/reference/check_checkpoint.py runs/tiny/checkpoint-00120.safetensors
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mae_reference import CONFIG_KEYS, MaskedAutoencoderViT, load_safetensors, noise_shape  # noqa: E402


def main(path):
    tensors, meta = load_safetensors(path)
    cfg = json.loads(meta["config"])
    model_cfg = {k: cfg[k] for k in CONFIG_KEYS if k in cfg}
    if cfg.get("pos_embed", "learned") != "learned":
        model_cfg["pos_embed"] = cfg["pos_embed"]
    model = MaskedAutoencoderViT(model_cfg)
    weights = {k: v for k, v in tensors.items() if not k.startswith("train.")}
    model.load_state_dict(weights, strict=True)  # raises on any missing, unexpected or mis-shaped key
    c = model.cfg
    x = torch.randn(2, c["in_chans"], c["num_frames"], c["img_size"], c["img_size"])
    out = model(x, torch.rand(noise_shape(dict(c, batch_size=2))))
    print(f"{path}: {len(weights)} tensors loaded strictly into the reference model; "
          f"{len(tensors) - len(weights)} training-state tensors; forward loss {out['loss'].item():.4f}")


if __name__ == "__main__":
    main(sys.argv[1])
