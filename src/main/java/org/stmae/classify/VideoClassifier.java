package org.stmae.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.stmae.autograd.Elementwise;
import org.stmae.autograd.NoGrad;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.Reductions;
import org.stmae.autograd.ShapeOps;
import org.stmae.autograd.Var;
import org.stmae.classify.ClassifierConfig.Pooling;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.PatchEmbedding;
import org.stmae.mae.PositionTable;
import org.stmae.nn.Block;
import org.stmae.nn.Linear;
import org.stmae.nn.Norm;
import org.stmae.nn.Params;
import org.stmae.tensor.Tensor;

/**
 * The fine-tuning model (mae_st's models_vit / VideoMAE's modeling_finetune): the pre-training
 * encoder without masking (patch embedding, class token, the full position table, blocks),
 * pooled to one feature per clip, dropout, a linear head. Encoder parameters carry the
 * pre-training names, so a pre-training checkpoint loads by name; the new ones are
 * {@code fc_norm.*} (VideoMAE pooling) and {@code head.*}.
 */
public final class VideoClassifier {
    public final ClassifierConfig cfg;
    public final Params params = new Params();
    private final Parameter patchWeight, patchBias, clsToken;
    private final PositionTable pos;
    private final List<Block> blocks = new ArrayList<>();
    private final Norm norm, fcNorm;
    private final Linear head;

    /** Names of the parameters that pre-training does not provide (initialised fresh on load). */
    public static boolean isNew(String name) {
        return name.startsWith("head.") || name.startsWith("fc_norm.");
    }

    public VideoClassifier(ClassifierConfig cfg) {
        this.cfg = cfg;
        MaeConfig m = cfg.encoder();
        int d = m.embedDim(), t = m.tPatchSize(), p = m.patchSize();
        patchWeight = params.create("patch_embed.proj.weight", d, m.inChans(), t, p, p);
        patchBias = params.create("patch_embed.proj.bias", d);
        clsToken = m.clsEmbed() ? params.create("cls_token", 1, 1, d) : null;
        pos = new PositionTable(m, params, "", d);
        for (int i = 0; i < m.depth(); i++)
            blocks.add(new Block(params, "blocks." + i, d, m.numHeads(), m.mlpHidden(d), m.qkvBias(), m.normEps()));
        // VideoMAE's fine-tuning model has no final norm (Identity with mean pooling); mae_st reuses it.
        norm = cfg.pooling() == Pooling.MAE_ST ? new Norm(params, "norm", d, m.normEps()) : null;
        fcNorm = cfg.pooling() == Pooling.VIDEOMAE ? new Norm(params, "fc_norm", d, m.normEps()) : null;
        head = new Linear(params, "head", d, cfg.numClasses(), true);
    }

    /** The encoder's parameters (everything but fc_norm and head), in registration order. */
    public List<Parameter> encoderParams() {
        return params.all().stream().filter(p -> !isNew(p.name)).toList();
    }

    /** The head's (and fc_norm's) parameters: what a linear probe trains. */
    public List<Parameter> newParams() {
        return params.all().stream().filter(p -> isNew(p.name)).toList();
    }

    /** From scratch: the pre-training initialisation for the encoder (SPEC.md, initialisation), then {@link #initNew}. */
    public static VideoClassifier create(ClassifierConfig cfg, long seed) {
        VideoClassifier c = new VideoClassifier(cfg);
        Init.initialize(cfg.encoder(), c.encoderParams(), seed);
        c.initNew(seed);
        return c;
    }

    /**
     * fc_norm 1/0 and the head as the official fine-tuning code leaves it: mae_st re-draws the
     * weight with trunc_normal(std 2e-5) after loading and keeps nn.Linear's default bias
     * U(+-1/sqrt(D)); VideoMAE draws trunc_normal(0.02) and multiplies weight and bias (0) by
     * init_scale 0.001. (The +-2 cut-offs are absolute, so both are plain normals.)
     */
    public void initNew(long seed) {
        Random rng = new Random(seed ^ 0x5EEDF00DL);
        int d = cfg.encoder().embedDim();
        if (fcNorm != null) {
            java.util.Arrays.fill(fcNorm.weight.value.data(), 1f);
            java.util.Arrays.fill(fcNorm.bias.value.data(), 0f);
        }
        if (cfg.pooling() == Pooling.MAE_ST) {
            Init.truncNormal(rng, head.weight.value.data(), 2e-5);
            Init.uniform(rng, head.bias.value.data(), 1.0 / Math.sqrt(d));
        } else {
            Init.truncNormal(rng, head.weight.value.data(), 0.02);
            float[] w = head.weight.value.data();
            for (int i = 0; i < w.length; i++) w[i] *= 0.001f;
            java.util.Arrays.fill(head.bias.value.data(), 0f);
        }
    }

    /**
     * Logits [N, classes] for clips [N, C, T, H, W]. With a generator ({@code rng} non-null, training)
     * drop path and dropout draw their masks from it; null is evaluation (both off).
     */
    public Var forward(Tensor input, SplittableRandom rng) {
        return logits(features(input, rng), rng);
    }

    /** The pooled, normalised feature [N, D] (before dropout and head). */
    public Var features(Tensor input, SplittableRandom rng) {
        MaeConfig m = cfg.encoder();
        PatchEmbedding.checkInput(m, input);
        int n = input.size(0);
        Var x = Elementwise.add(PatchEmbedding.apply(m, patchWeight, patchBias, input), pos.patchTable());
        if (m.clsEmbed()) x = pos.prependClass(x, clsToken);
        for (int i = 0; i < blocks.size(); i++) {
            double rate = rng == null ? 0 : cfg.dropPathOf(i);
            x = blocks.get(i).forward(x, pathScale(rate, n, rng), pathScale(rate, n, rng));
        }
        if (cfg.pooling() == Pooling.MAE_ST) {
            // mae_st pools x[:, 1:, :]: the patch tokens after the class token (see SPEC for cls_embed false).
            Var patches = m.clsEmbed() ? ShapeOps.narrow(x, 1, 1, m.numPatches()) : x;
            return norm.forward(Reductions.mean(patches, false, 1));
        }
        return fcNorm.forward(Reductions.mean(x, false, 1));
    }

    /** Dropout (training only) and the head on features [N, D]. */
    public Var logits(Var features, SplittableRandom rng) {
        Var f = features;
        if (rng != null && cfg.dropout() > 0) {
            int n = f.size(0), d = f.size(1);
            float keep = (float) (1 - cfg.dropout());
            Tensor mask = Tensor.zeros(n, d);
            for (int i = 0; i < mask.size(); i++) mask.data()[i] = rng.nextDouble() < cfg.dropout() ? 0f : 1f / keep;
            f = Elementwise.mul(f, Var.constant(mask));
        }
        return head.forward(f);
    }

    /** timm's drop_path mask: per sample 0 with probability rate, else 1/(1 - rate); null when off. */
    private static Tensor pathScale(double rate, int n, SplittableRandom rng) {
        if (rate <= 0) return null;
        float keep = (float) (1 - rate);
        Tensor s = Tensor.zeros(n, 1, 1);
        for (int i = 0; i < n; i++) s.data()[i] = rng.nextDouble() < rate ? 0f : 1f / keep;
        return s;
    }

    /** Class probabilities [N, classes] in evaluation mode (softmax of the logits, no graph). */
    public Tensor probabilities(Tensor input) {
        try (var g = NoGrad.enter()) {
            return org.stmae.autograd.Softmax.softmax(forward(input, null)).value;
        }
    }
}
