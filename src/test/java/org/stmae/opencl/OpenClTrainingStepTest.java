package org.stmae.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aparapi.Kernel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.masking.Mask;
import org.stmae.autograd.Parameter;
import org.stmae.tensor.Backend;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.Tensor;
import org.stmae.verify.Verifier;

/**
 * A whole training step on OpenCL: every committed PyTorch dump (forward, every gradient, the
 * AdamW replay) passes the verifier with the OpenCL backend installed, and the OpenCL step equals
 * the CPU step on a fresh model (loss and every gradient within 1e-4 of each tensor's largest
 * value, the parity standard). Also that a kernel Aparapi cannot put on the device is an error.
 */
class OpenClTrainingStepTest extends OnOpenCl {
    static List<Path> fixtures() throws Exception {
        return org.stmae.verify.ReferenceParityTestAccess.fixtures();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyReferenceDumpPassesOnOpenCl(Path dump) throws Exception {
        Backend before = Kernels.use(ocl);
        List<Verifier.Row> rows;
        try {
            rows = Verifier.verify(dump);
        } finally {
            Kernels.use(before);
        }
        assertTrue(rows.size() > 40, "only " + rows.size() + " tensors compared in " + dump);
        String failures = rows.stream().filter(r -> !r.ok())
                .map(r -> r.name() + " diff " + r.maxDiff() + " > tol " + r.tolerance()).collect(Collectors.joining("\n"));
        assertEquals("", failures, dump + " mismatches on OpenCL");
    }

    @Test
    void openClStepEqualsCpuStep() {
        MaeConfig cfg = MaeConfig.preset("tiny");
        Random rng = new Random(7);
        Tensor x = Tensor.zeros(2, cfg.inChans(), cfg.numFrames(), cfg.imgSize(), cfg.imgSize());
        float[] xs = x.data();
        for (int i = 0; i < xs.length; i++) xs[i] = (float) rng.nextGaussian();
        Mask mask = MaskedAutoencoder.masking(cfg).sample(new Random(3), 2);
        List<Tensor> cpu = step(CpuBackend.INSTANCE, cfg, x, mask), dev = step(ocl, cfg, x, mask);
        List<Parameter> names = Init.create(cfg, 0).params.all();
        for (int i = 0; i < cpu.size(); i++) {
            Tensor a = cpu.get(i), b = dev.get(i);
            double tol = 1e-4 * Math.max(1e-3, a.maxAbs()), worst = 0;
            float[] ad = a.data(), bd = b.data();
            for (int j = 0; j < ad.length; j++) worst = Math.max(worst, Math.abs(ad[j] - bd[j]));
            String what = i == 0 ? "loss" : "grad." + names.get(i - 1).name;
            if (what.endsWith("attn.k.bias")) tol = 1e-6; // analytically zero: rounding noise on both
            assertTrue(worst <= tol, what + ": cpu vs opencl max |diff| " + worst + " > " + tol);
        }
    }

    /** Loss and every parameter gradient of one forward/backward pass on {@code b}. */
    private static List<Tensor> step(Backend b, MaeConfig cfg, Tensor x, Mask mask) {
        Backend before = Kernels.use(b);
        try {
            MaskedAutoencoder model = Init.create(cfg, 0);
            var out = model.forward(x, mask);
            out.loss().backward();
            List<Tensor> r = new ArrayList<>();
            r.add(out.loss().value.copy());
            for (Parameter p : model.params.all()) r.add(p.grad() == null ? Tensor.zeros(p.shape()) : p.grad().copy());
            return r;
        } finally {
            Kernels.use(before);
        }
    }

    /** Uses a Java object, which Aparapi cannot translate: it falls back to its thread pool. */
    static final class Untranslatable extends Kernel {
        final float[] out = new float[4];
        final Object notAllowed = new Object();

        @Override
        public void run() {
            out[getGlobalId()] = notAllowed.hashCode();
        }
    }

    @Test
    void aKernelAparapiCannotTranslateIsALoudError() {
        AparapiLog.install();
        Untranslatable k = new Untranslatable();
        try {
            var e = assertThrows(OpenClBackend.FallbackException.class, () -> OpenClBackend.executeOnDevice(
                    k, OpenClDevices.pick(null).device().createRange(4, 1), "untranslatable", "opencl:0"));
            assertTrue(e.getMessage().contains("'untranslatable' (Untranslatable)") && e.getMessage().contains("java objects"),
                    "must name the kernel and Aparapi's reason: " + e.getMessage());
        } finally {
            k.dispose();
        }
    }
}
