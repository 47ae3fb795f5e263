package org.stmae.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.stmae.tensor.Backend;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Tensor;

/**
 * Tensors stay on the device: a chain of ops uploads each input once and downloads nothing until
 * the host asks ({@link OpenClBackend#stats()} counts every transfer); host writes go up again;
 * the CPU backend reads a device result through {@link Tensor#data()}. And the arena: growth keeps
 * earlier tensors, dead tensors' regions come back through the Cleaner, an allocation larger than
 * the arena's maximum is one clear error, and a device arena replaced by its stale host copy (what
 * a GC move does on a GPU) is an error rather than wrong numbers.
 */
class OpenClResidencyTest extends OnOpenCl {
    /** Uniform in [-1, 1): OpenClKernelsTest's generator. */
    static float[] rand(Random r, int n) {
        return OpenClKernelsTest.rand(r, n, 1);
    }

    /** matmul -> GELU -> softmax -> + bias -> column sums, on {@code b}. */
    static Tensor chain(Backend b, Tensor a, Tensor w, Tensor bias, int m, int k, int n) {
        Tensor c = Tensor.zeros(m, n), g = Tensor.zeros(m, n), s = Tensor.zeros(m, n), o = Tensor.zeros(m, n), col = Tensor.zeros(n);
        b.matmul(1, false, false, m, n, k, a, 0, k, 0, w, 0, n, 0, c, 0, n, 0, false);
        b.geluForward(c, g, m * n);
        b.softmaxForward(g, s, m, n, 1f);
        b.binary(Binary.ADD, new int[] {m, n}, s, new int[] {m, n}, bias, new int[] {n}, o);
        b.reduceInto(o, new int[] {m, n}, col, new int[] {n});
        if (b instanceof OpenClBackend)
            for (Tensor t : List.of(c, g, s, o)) assertFalse(t.storage().onHost(), "an intermediate came to the host");
        return col;
    }

    static void near(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++)
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-5 * (1 + Math.abs(want[i])), what + ": index " + i + ": cpu " + want[i] + " opencl " + got[i]);
    }

    @Test
    void aChainOfOpsUploadsEachInputOnceAndDownloadsOnlyWhatIsAsked() {
        Random r = new Random(11);
        int m = 33, k = 20, n = 47;
        float[] av = rand(r, m * k), wv = rand(r, k * n), bv = rand(r, n);
        Tensor a = Tensor.of(av.clone(), m, k), w = Tensor.of(wv.clone(), k, n), bias = Tensor.of(bv.clone(), n);

        OpenClBackend.Stats s0 = ocl.stats();
        Tensor col = chain(ocl, a, w, bias, m, k, n);
        OpenClBackend.Stats s1 = ocl.stats();
        assertEquals(3, s1.uploads() - s0.uploads(), "uploads: a, w and bias, once each");
        assertEquals(4L * (m * k + k * n + n), s1.uploadedBytes() - s0.uploadedBytes());
        assertEquals(0, s1.downloads() - s0.downloads(), "nothing comes back before data()");
        assertFalse(col.storage().onHost());

        float[] got = col.data();
        OpenClBackend.Stats s2 = ocl.stats();
        assertEquals(1, s2.downloads() - s1.downloads());
        assertEquals(4L * n, s2.downloadedBytes() - s1.downloadedBytes());
        near("chain", chain(CpuBackend.INSTANCE, Tensor.of(av, m, k), Tensor.of(wv, k, n), Tensor.of(bv, n), m, k, n).data(), got);

        // A host write after data() goes up at the next use; the untouched operands stay put.
        a.data()[0] += 1f;
        av[0] += 1f;
        Tensor col2 = chain(ocl, a, w, bias, m, k, n);
        OpenClBackend.Stats s3 = ocl.stats();
        assertEquals(1, s3.uploads() - s2.uploads(), "only a changed");
        assertEquals(4L * m * k, s3.uploadedBytes() - s2.uploadedBytes());
        near("chain after a host write", chain(CpuBackend.INSTANCE, Tensor.of(av, m, k), Tensor.of(wv, k, n), Tensor.of(bv, n), m, k, n).data(),
                col2.data());
    }

    @Test
    void theCpuBackendReadsDeviceResultsAndTheDeviceReadsCpuResults() {
        Random r = new Random(12);
        int n = 1000;
        float[] xv = rand(r, n);
        Tensor x = Tensor.of(xv.clone(), n), y = Tensor.zeros(n), z = Tensor.zeros(n), u = Tensor.zeros(n);
        Backend before = Kernels.use(ocl);
        try {
            Kernels.geluForward(x, y, n);
            assertFalse(y.storage().onHost());
            Kernels.use(CpuBackend.INSTANCE);
            Kernels.binary(Binary.MUL, new int[] {n}, y, new int[] {n}, y, new int[] {n}, z);
            Kernels.use(ocl);
            Kernels.axpy(2f, z, u, n);
        } finally {
            Kernels.use(before);
        }
        Tensor yc = Tensor.zeros(n), zc = Tensor.zeros(n), uc = Tensor.zeros(n);
        CpuBackend.INSTANCE.geluForward(Tensor.of(xv, n), yc, n);
        CpuBackend.INSTANCE.binary(Binary.MUL, new int[] {n}, yc, new int[] {n}, yc, new int[] {n}, zc);
        CpuBackend.INSTANCE.axpy(2f, zc, uc, n);
        near("device gelu read by the cpu, cpu product read by the device", uc.data(), u.data());
    }

    @Test
    void growingTheArenaKeepsEveryTensor() {
        Random r = new Random(13);
        try (OpenClBackend small = TestDevice.open(256, 1 << 16)) {
            List<float[]> values = new ArrayList<>();
            List<Tensor> copies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                float[] v = rand(r, 1000);
                Tensor copy = Tensor.zeros(1000);
                small.axpy(1f, Tensor.of(v.clone(), 1000), copy, 1000); // 0 + 1 * v: exact
                values.add(v);
                copies.add(copy);
            }
            assertTrue(small.stats().arenaGrowths() >= 3, "the arena did not grow: " + small.stats());
            for (int i = 0; i < copies.size(); i++) assertArrayEquals(values.get(i), copies.get(i).data(), "tensor " + i + " after growth");
        }
    }

    @Test
    void deadTensorsGiveTheirRegionsBack() {
        int n = 16 * 1024, max = 1 << 17; // an eighth of the arena per temporary, forty of them
        try (OpenClBackend small = TestDevice.open(1 << 12, max)) {
            Tensor x = Tensor.of(rand(new Random(14), n), n), last = null;
            for (int i = 0; i < 40; i++) {
                last = Tensor.zeros(n);
                small.geluForward(x, last, n);
            }
            OpenClBackend.Stats s = small.stats();
            assertTrue(s.arenaBytesInUse() <= 4L * max, "in use " + s.arenaBytesInUse());
            Tensor want = Tensor.zeros(n);
            CpuBackend.INSTANCE.geluForward(x, want, n);
            near("the last temporary", want.data(), last.data());
        }
    }

    @Test
    void anAllocationBeyondTheLargestArenaIsOneClearLine() {
        try (OpenClBackend small = TestDevice.open(1 << 12, 1 << 16)) {
            Tensor big = Tensor.zeros(100_000), out = Tensor.zeros(100_000);
            var e = assertThrows(IllegalStateException.class, () -> small.geluForward(big, out, 100_000));
            String msg = e.getMessage();
            assertTrue(msg.startsWith("opencl: device memory arena full (") && msg.endsWith("; raise -Dstmae.opencl.arenaMB")
                    && !msg.contains("\n"), msg);
            assertTrue(msg.contains("of 0.3 MB; need 0.4 MB"), msg);
        }
    }

    @Test
    void aDeviceArenaReplacedByItsHostCopyIsAnError() {
        try (OpenClBackend small = TestDevice.open(1 << 12, 1 << 16)) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 3), y = Tensor.zeros(3);
            small.geluForward(x, y, 3);
            // What a GC move does on a GPU: Aparapi re-creates the arena's device buffer from the
            // host array, which never holds the sentinel the device wrote.
            float[] stale = small.k.mem.clone();
            stale[stale.length - 1] = 0f;
            small.k.mem = stale;
            var e = assertThrows(IllegalStateException.class, y::data);
            assertTrue(e.getMessage().contains("moved the arena array"), e.getMessage());
        }
    }
}
