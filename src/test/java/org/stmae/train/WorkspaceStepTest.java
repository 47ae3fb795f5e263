package org.stmae.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmae.autograd.Parameter;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.tensor.Tensor;
import org.stmae.tensor.Workspace;

/** Training steps inside workspace scopes give the same bits as steps on fresh arrays. */
class WorkspaceStepTest {
    static final MaeConfig CFG = MaeConfig.builder().imgSize(64).patchSize(16).numFrames(4).tPatchSize(2).predTDim(2)
            .embedDim(64).depth(2).numHeads(2).decoderEmbedDim(32).decoderDepth(1).decoderNumHeads(2).maskRatio(0.5).build();

    @Test
    void recycledStepsMatchFreshOnesBitForBit() {
        Workspace ws = new Workspace();
        float[][] fresh = train(null), recycled = train(ws);
        assertTrue(ws.pooledFloats() > 100_000, "the steps' tensors went through the workspace: " + ws.pooledFloats());
        assertEquals(fresh.length, recycled.length);
        for (int i = 0; i < fresh.length; i++) assertArrayEquals(fresh[i], recycled[i], "tensor " + i);
    }

    /** Four AdamW steps; returns the losses, then every parameter. */
    private static float[][] train(Workspace ws) {
        MaskedAutoencoder model = Init.create(CFG, 3);
        List<Parameter> params = model.params.all();
        AdamW opt = new AdamW(params, new HashSet<>(), 0.9, 0.95, 1e-8, 0.05);
        Random rng = new Random(11);
        Tensor x = Tensor.zeros(3, 3, 4, 64, 64);
        float[] v = x.data();
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        float[] losses = new float[4];
        for (int step = 0; step < losses.length; step++) {
            Workspace.Scope scope = ws == null ? null : ws.open();
            try {
                var out = model.forward(x, MaskedAutoencoder.masking(CFG).sample(rng, 3));
                losses[step] = out.loss().value.item();
                out.loss().backward();
                AdamW.clipGradNorm(params, 0.5);
                opt.step(1e-3);
                model.params.zeroGrad();
            } finally {
                if (scope != null) scope.close();
            }
        }
        float[][] all = new float[params.size() + 1][];
        all[0] = losses;
        for (int i = 0; i < params.size(); i++) all[i + 1] = params.get(i).value.data().clone();
        return all;
    }
}
