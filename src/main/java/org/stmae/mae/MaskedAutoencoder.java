package org.stmae.mae;

import java.util.ArrayList;
import java.util.List;
import org.stmae.autograd.Elementwise;
import org.stmae.autograd.IndexOps;
import org.stmae.autograd.MaskedMse;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.ShapeOps;
import org.stmae.autograd.Var;
import org.stmae.masking.CubeMasking;
import org.stmae.masking.FrameMasking;
import org.stmae.masking.Mask;
import org.stmae.masking.MaskingStrategy;
import org.stmae.masking.RandomMasking;
import org.stmae.masking.TubeMasking;
import org.stmae.nn.Block;
import org.stmae.nn.Linear;
import org.stmae.nn.Norm;
import org.stmae.nn.Params;
import org.stmae.tensor.Tensor;

/**
 * The MAE-ST / VideoMAE pre-training model: patch embedding, masking, a ViT encoder on the
 * visible tokens, a small ViT decoder on encoded plus mask tokens, and the masked MSE on
 * (normalised) pixels. Parameters carry mae_st's state_dict names. SPEC.md (model) states
 * every step; the forward pass reads as the paper's three stages.
 */
public final class MaskedAutoencoder {
    public final MaeConfig cfg;
    public final Params params = new Params();

    private final Parameter patchWeight, patchBias, clsToken, encoderMaskToken, maskToken, decoderClsToken;
    private final PositionTable pos, decoderPos;
    private final List<Block> blocks = new ArrayList<>(), decoderBlocks = new ArrayList<>();
    private final Norm norm, decoderNorm;
    private final Linear decoderEmbed, decoderPred;

    /** What one forward pass produced; {@code loss} is the node to call backward() on. */
    public record Output(Var loss, Var pred, Tensor target, Var latent, Mask mask) {}

    public MaskedAutoencoder(MaeConfig cfg) {
        this.cfg = cfg;
        int d = cfg.embedDim(), dd = cfg.decoderEmbedDim(), t = cfg.tPatchSize(), p = cfg.patchSize();
        boolean cls = cfg.clsEmbed(), dense = cfg.encoderMaskTokens();
        // Registration order follows mae_st's __init__, so names list in named_parameters() order.
        patchWeight = params.create("patch_embed.proj.weight", d, cfg.inChans(), t, p, p);
        patchBias = params.create("patch_embed.proj.bias", d);
        clsToken = cls ? params.create("cls_token", 1, 1, d) : null;
        encoderMaskToken = dense ? params.create("encoder_mask_token", 1, 1, d) : null;
        pos = new PositionTable(cfg, params, "", d);
        for (int i = 0; i < cfg.depth(); i++)
            blocks.add(new Block(params, "blocks." + i, d, cfg.numHeads(), cfg.mlpHidden(d), cfg.qkvBias(), cfg.normEps()));
        norm = new Norm(params, "norm", d, cfg.normEps());
        decoderEmbed = new Linear(params, "decoder_embed", d, dd, true);
        maskToken = dense ? null : params.create("mask_token", 1, 1, dd);
        decoderClsToken = cls ? params.create("decoder_cls_token", 1, 1, dd) : null;
        decoderPos = new PositionTable(cfg, params, "decoder_", dd);
        for (int i = 0; i < cfg.decoderDepth(); i++)
            decoderBlocks.add(new Block(params, "decoder_blocks." + i, dd, cfg.decoderNumHeads(), cfg.mlpHidden(dd), cfg.qkvBias(), cfg.normEps()));
        decoderNorm = new Norm(params, "decoder_norm", dd, cfg.normEps());
        decoderPred = new Linear(params, "decoder_pred", dd, cfg.predDim(), true);
    }

    /** The masking strategy the config names. */
    public static MaskingStrategy masking(MaeConfig cfg) {
        int gt = cfg.gridT(), hw = cfg.gridH() * cfg.gridW();
        return switch (cfg.maskType()) {
            case RANDOM -> new RandomMasking(gt * hw, cfg.maskRatio());
            case TUBE -> new TubeMasking(gt, hw, cfg.maskRatio());
            case FRAME -> new FrameMasking(gt, hw, cfg.maskRatio());
            case CUBE -> new CubeMasking(gt, cfg.gridH(), cfg.gridW(), cfg.maskRatio());
        };
    }

    /** Encoder, decoder and loss on input [N, C, T, H, W] under the given mask. */
    public Output forward(Tensor input, Mask mask) {
        PatchEmbedding.checkInput(cfg, input);
        Var latent = cfg.encoderMaskTokens() ? encodeDense(patchEmbed(input), mask) : encode(input, mask);
        Var pred = decode(latent, mask);
        Tensor target = Targets.target(cfg, input);
        Var loss = MaskedMse.maskedMse(pred, target, mask.mask());
        return new Output(loss, pred, target, latent, mask);
    }

    /** The Conv3d patch embedding (SPEC.md, patches): [N, C, T, H, W] -> [N, L, D]. */
    public Var patchEmbed(Tensor input) {
        return PatchEmbedding.apply(cfg, patchWeight, patchBias, input);
    }

    /** Sparse encoder: visible tokens only, in ids_keep order. Returns [N, K, D] after norm. */
    private Var encode(Tensor input, Mask mask) {
        // mae_st embeds every patch, adds positions and then keeps the visible tokens. The
        // embedding maps each patch on its own, so embedding only the kept patches gives the
        // same tokens and skips the masked ones' share of its forward and weight gradient (90 %).
        int n = mask.batch(), l = mask.numTokens();
        Var patches = Var.constant(Patchify.convPatches(input, cfg.patchSize(), cfg.tPatchSize(), mask.idsKeep()));
        Var positions = IndexOps.gather(ShapeOps.expand(pos.patchTable(), n, l, cfg.embedDim()), 1, mask.idsKeep());
        Var tokens = Elementwise.add(PatchEmbedding.project(cfg, patchWeight, patchBias, patches), positions);
        return runBlocks(tokens, clsToken, pos, blocks, norm);
    }

    /** Dense "encoder with [M]": masked positions replaced by encoder_mask_token. [N, L, D]. */
    private Var encodeDense(Var x, Mask mask) {
        int n = mask.batch(), l = mask.numTokens();
        Tensor keepW = Tensor.zeros(n, l, 1), maskW = Tensor.zeros(n, l, 1);
        float[] removed = mask.mask().data(), m = maskW.data(), keep = keepW.data();
        for (int i = 0; i < n * l; i++) {
            m[i] = removed[i];
            keep[i] = 1f - removed[i];
        }
        // x * (1 - m) + token * m with m in {0, 1} is an exact replacement.
        Var replaced = Elementwise.add(Elementwise.mul(x, Var.constant(keepW)), Elementwise.mul(encoderMaskToken, Var.constant(maskW)));
        return runBlocks(Elementwise.add(replaced, pos.patchTable()), clsToken, pos, blocks, norm);
    }

    /** Decoder: embed, fill in mask tokens, restore token order, blocks, prediction head. */
    private Var decode(Var latent, Mask mask) {
        Var x = decoderEmbed.forward(latent);
        if (!cfg.encoderMaskTokens()) {
            int n = mask.batch(), l = mask.numTokens(), k = mask.lenKeep();
            Var fill = ShapeOps.expand(maskToken, n, l - k, cfg.decoderEmbedDim());
            x = IndexOps.gather(ShapeOps.concat(1, x, fill), 1, mask.idsRestore());
        }
        x = Elementwise.add(x, decoderPos.patchTable());
        return decoderPred.forward(dropClass(runBlocksRaw(x, decoderClsToken, decoderPos, decoderBlocks, decoderNorm)));
    }

    private Var runBlocks(Var tokens, Parameter cls, PositionTable table, List<Block> stack, Norm finalNorm) {
        return dropClass(runBlocksRaw(tokens, cls, table, stack, finalNorm));
    }

    /** Prepends the class token (with its position) when configured, then blocks and norm. */
    private Var runBlocksRaw(Var tokens, Parameter cls, PositionTable table, List<Block> stack, Norm finalNorm) {
        Var x = cfg.clsEmbed() ? table.prependClass(tokens, cls) : tokens;
        for (Block b : stack) x = b.forward(x);
        return finalNorm.forward(x);
    }

    private Var dropClass(Var x) {
        return cfg.clsEmbed() ? ShapeOps.narrow(x, 1, 1, x.size(1) - 1) : x;
    }
}
