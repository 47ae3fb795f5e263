#!/usr/bin/env python3
"""The HOG-target fixture (SPEC.md, HOG target): testdata/fixtures/hog/hog.safetensors.

MaskFeat's HOG as PySlowFast computes it for video (HOGLayerC with nbins 9, pool 8 and no
Gaussian window, as MaskMViT builds it; the token layout of MaskMViT's 3-D HOG label), written
here from that description with torch ops: reflect padding, a grouped Sobel conv2d, atan2,
scatter_add, unfold + sum, F.normalize. Run with Debian's python (torch 1.13):

    /usr/bin/python3 tools/reference/make_hog_fixture.py --out testdata/fixtures/hog

(A folder of its own: it is not a mae-ref-fixture-v1 dump, so `stmae verify testdata/fixtures/*`
and the parity test leave it alone.)

Contents: `input` [2, 3, 4, 32, 32]; `cells` [N*T, 3, 9, 4, 4] (every frame's normalised cell
histograms); `target.p{P}_t{T}` [N, L, 3*9*(P/8)^2] for (P, T) in (16, 2), (8, 2), (8, 1).
Sample 1 has a constant 24x24 corner (zero histograms in its first 16x16 patch). The input seed is
the first one whose every gradient orientation is at least 1e-5 bins away from a bin boundary
(checked in float64), so float rounding cannot move a vote between bins in any implementation.
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mae_reference import save_safetensors  # noqa: E402

BINS, CELL = 9, 8
SIZES = [(16, 2), (8, 2), (8, 1)]


def gradients(frames):
    """frames [B, C, H, W] -> (gx, gy): grouped Sobel cross-correlation on the reflect-padded frame."""
    c = frames.shape[1]
    kx = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]], dtype=frames.dtype)
    kx = kx.view(1, 1, 3, 3).repeat(c, 1, 1, 1)
    ky = kx.transpose(2, 3).contiguous()
    padded = F.pad(frames, (1, 1, 1, 1), mode="reflect")
    return F.conv2d(padded, kx, groups=c), F.conv2d(padded, ky, groups=c)


def hog_cells(frames):
    """frames [B, C, H, W] -> [B, C, 9, H/8, W/8], each 9-bin cell histogram L2-normalised."""
    gx, gy = gradients(frames)
    magnitude = torch.stack([gx, gy], dim=-1).norm(dim=-1)
    coord = torch.atan2(gx, gy) / math.pi * BINS
    bins = coord.floor().long() % BINS
    b, c, h, w = magnitude.shape
    votes = torch.zeros(b, c, BINS, h, w, dtype=frames.dtype)
    votes.scatter_add_(2, bins.unsqueeze(2), magnitude.unsqueeze(2))
    cells = votes.unfold(3, CELL, CELL).unfold(4, CELL, CELL).sum(dim=(-1, -2))
    return F.normalize(cells, p=2, dim=2)


def hog_target(video, p, t):
    """video [N, C, T, H, W] -> [N, T/t * (H/p)^2, C*9*(p/8)^2]: frames 0, t, 2t, ... cut into patches."""
    n = video.shape[0]
    frames = video[:, :, ::t].transpose(1, 2)
    slots = frames.shape[1]
    maps = hog_cells(frames.flatten(0, 1)).flatten(1, 2)
    k = p // CELL
    tokens = maps.permute(0, 2, 3, 1).unfold(1, k, k).unfold(2, k, k)
    grid = tokens.shape[1]
    return tokens.flatten(3).reshape(n, slots * grid * grid, -1)


def nearest_boundary(video):
    """Smallest distance (in bins) of any non-zero gradient's orientation to a bin boundary, in float64."""
    frames = video.double().transpose(1, 2).flatten(0, 1)
    gx, gy = gradients(frames)
    coord = torch.atan2(gx, gy) / math.pi * BINS
    dist = (coord - coord.round()).abs()
    moving = (gx.abs() + gy.abs()) > 0
    exact = dist == 0  # 0 and 180 degrees: bin 0 in every implementation
    return dist[moving & ~exact].min().item()


def make_input(seed):
    g = torch.Generator().manual_seed(seed)
    video = torch.randn(2, 3, 4, 32, 32, generator=g)
    video[1, :, :, :24, :24] = 0.3
    return video


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="testdata/fixtures/hog")
    args = ap.parse_args()
    torch.set_num_threads(1)
    seed = 0
    while nearest_boundary(make_input(seed)) < 1e-5:
        seed += 1
    video = make_input(seed)
    tensors = {"input": video, "cells": hog_cells(video.transpose(1, 2).flatten(0, 1))}
    for p, t in SIZES:
        tensors["target.p%d_t%d" % (p, t)] = hog_target(video, p, t)
    path = os.path.join(args.out, "hog.safetensors")
    meta = {"format": "stmae-hog-fixture-v1", "seed": seed, "torch": torch.__version__,
            "bins": BINS, "cell": CELL, "margin": nearest_boundary(video)}
    save_safetensors(path, tensors, meta)
    print("wrote %s (input seed %d, nearest bin boundary %.3g bins)" % (path, seed, meta["margin"]))


if __name__ == "__main__":
    main()
