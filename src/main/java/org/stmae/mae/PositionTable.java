package org.stmae.mae;

import org.stmae.autograd.Elementwise;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.ShapeOps;
import org.stmae.autograd.Var;
import org.stmae.mae.MaeConfig.PosEmbed;
import org.stmae.nn.Params;
import org.stmae.tensor.Tensor;

/**
 * The learned (separable or joint) or fixed sin-cos positions of one stack (SPEC.md, positional
 * embeddings), registered under {@code prefix}: the pre-training encoder and decoder and the
 * fine-tuning classifier all build theirs from this one class.
 */
public final class PositionTable {
    private final MaeConfig cfg;
    private final Parameter spatial, temporal, cls, joint;
    private final Tensor fixed;
    private final int width;

    public PositionTable(MaeConfig cfg, Params params, String prefix, int width) {
        this.cfg = cfg;
        this.width = width;
        int hw = cfg.gridH() * cfg.gridW(), l = cfg.numPatches();
        boolean learned = cfg.posEmbed() == PosEmbed.LEARNED, sep = learned && cfg.sepPosEmbed();
        spatial = sep ? params.create(prefix + "pos_embed_spatial", 1, hw, width) : null;
        temporal = sep ? params.create(prefix + "pos_embed_temporal", 1, cfg.gridT(), width) : null;
        cls = sep && cfg.clsEmbed() ? params.create(prefix + "pos_embed_class", 1, 1, width) : null;
        joint = learned && !sep ? params.create(prefix + "pos_embed", 1, l + (cfg.clsEmbed() ? 1 : 0), width) : null;
        fixed = learned ? null : SinCos.table(l, width).reshape(1, l, width);
    }

    /** [1, L, width] in token order: spatial[s] + temporal[t] when separable. */
    public Var patchTable() {
        int gt = cfg.gridT(), hw = cfg.gridH() * cfg.gridW();
        if (fixed != null) return Var.constant(fixed);
        if (joint != null) return cfg.clsEmbed() ? ShapeOps.narrow(joint, 1, 1, cfg.numPatches()) : joint;
        Var s = ShapeOps.reshape(spatial, 1, 1, hw, width), t = ShapeOps.reshape(temporal, 1, gt, 1, width);
        return ShapeOps.reshape(Elementwise.add(s, t), 1, gt * hw, width);
    }

    /** [1, 1, width] position of the class token, or null (none with the fixed table). */
    public Var classRow() {
        if (cls != null) return cls;
        if (joint != null && cfg.clsEmbed()) return ShapeOps.narrow(joint, 1, 0, 1);
        return null;
    }

    /** tokens [N, S, width] with the class token (plus its position, if any) prepended: [N, 1 + S, width]. */
    public Var prependClass(Var tokens, Var clsToken) {
        int n = tokens.size(0);
        Var clsRow = classRow() == null ? clsToken : Elementwise.add(clsToken, classRow());
        return ShapeOps.concat(1, ShapeOps.expand(clsRow, n, 1, width), tokens);
    }
}
