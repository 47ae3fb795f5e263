package org.stmae.opencl;

import static org.stmae.opencl.DeviceKernel.*;

import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import java.util.IdentityHashMap;
import org.stmae.tensor.Backend;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Shapes;

/**
 * The OpenCL backend: every kernel runs as one launch of {@link DeviceKernel} on one device.
 * Aparapi runs in explicit mode: before a launch the arrays the op reads are sent ({@code put}),
 * after it the arrays it writes are fetched ({@code get}); Aparapi keeps a device buffer per
 * Java array, so a weight used by many ops is reallocated only when another array takes its slot.
 * Tensors do not stay on the device between ops: every launch moves its operands (SPEC §3.1 says
 * why and what residency would need).
 *
 * <p>Aparapi falls back to a Java thread pool when it cannot run a kernel on the device; this
 * backend checks where every launch ran and throws {@link FallbackException} naming the op and
 * Aparapi's logged reason instead of returning numbers computed somewhere else.
 */
public final class OpenClBackend implements Backend, AutoCloseable {
    private static final int GROUP = 64; // work-group size of the 1-D ops
    private static final int S0 = 1, S2 = 1 << 2, S3 = 1 << 3, S4 = 1 << 4, S5 = 1 << 5, S6 = 1 << 6, S7 = 1 << 7;

    private final OpenCLDevice device;
    private final String name;
    private final DeviceKernel k = new DeviceKernel();
    private final float[][] dummies = new float[8][1];
    private final IdentityHashMap<float[], Boolean> bound = new IdentityHashMap<>();

    /** Opens {@code device} and compiles the kernels once (a no-op launch), failing loudly. */
    public OpenClBackend(OpenClDevices.Entry entry) {
        this.device = entry.device();
        this.name = "opencl:" + entry.index() + " (" + entry.device().getName().trim() + ")";
        k.setExplicit(true);
        AparapiLog.install();
        k.args[0] = OP_NOP;
        launch(device.createRange(1, 1), 0);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void close() {
        k.dispose();
    }

    // ---- launching -----------------------------------------------------------------------------

    /**
     * Sends every bound array except those in {@code writeOnly} (a slot mask: outputs the op
     * overwrites entirely; {@code get} fetches whole arrays, so a partly written one must go up
     * first), runs, checks where it ran.
     */
    private void launch(Range range, int writeOnly) {
        k.put(k.args).put(k.fargs);
        float[][] slots = {k.s0, k.s1, k.s2, k.s3, k.s4, k.s5, k.s6, k.s7};
        for (int i = 0; i < slots.length; i++)
            if (slots[i] != dummies[i] && (writeOnly & (1 << i)) == 0) k.put(slots[i]);
        executeOnDevice(k, range, OP_NAMES[k.args[0]], name);
    }

    /**
     * Runs {@code kernel} over {@code range} (a range of one OpenCL device) and throws
     * {@link FallbackException} unless it ran there: the message names the op, the kernel class,
     * where it ran instead and Aparapi's logged reason. Aparapi either falls back silently (then
     * the target device tells) or, once a kernel has failed on the device, refuses the device's
     * range with an AssertionError; both end here.
     */
    static void executeOnDevice(com.aparapi.Kernel kernel, Range range, String op, String device) {
        int mark = AparapiLog.mark();
        String what = "OpenCL kernel '" + op + "' (" + kernel.getClass().getSimpleName() + ") did not run on " + device;
        try {
            kernel.execute(range);
        } catch (AssertionError | RuntimeException e) {
            throw new FallbackException(what + ": " + e.getMessage() + "; reason: " + AparapiLog.since(mark));
        }
        Device ran = kernel.getTargetDevice();
        if (!kernel.isRunningCL() || !(ran instanceof OpenCLDevice))
            throw new FallbackException(what + ": Aparapi fell back to " + (ran == null ? "Java" : ran.getShortDescription())
                    + "; reason: " + AparapiLog.since(mark));
    }

    /**
     * Binds the eight slots for the next launch; null leaves a slot on its 1-element dummy (Aparapi
     * rejects null). The slots in {@code outputs} (a mask) keep the caller's arrays, so that
     * {@code get} fetches into them; an input that is the same array as an output or an earlier
     * input (out == a, x * x) is copied, so that each device buffer belongs to one slot.
     */
    private void bind(int outputs, float[]... arrays) {
        bound.clear();
        float[][] v = new float[8][];
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < 8; i++) {
                boolean out = (outputs & (1 << i)) != 0;
                if (out != (pass == 0)) continue;
                float[] a = i < arrays.length ? arrays[i] : null;
                if (a == null) a = dummies[i];
                else if (bound.put(a, Boolean.TRUE) != null) a = a.clone();
                v[i] = a;
            }
        k.s0 = v[0]; k.s1 = v[1]; k.s2 = v[2]; k.s3 = v[3];
        k.s4 = v[4]; k.s5 = v[5]; k.s6 = v[6]; k.s7 = v[7];
    }

    private Range range1d(int n) {
        return device.createRange(roundUp(Math.max(n, 1), GROUP), GROUP);
    }

    private static int roundUp(int n, int to) {
        return (n + to - 1) / to * to;
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }

    // ---- the kernels ---------------------------------------------------------------------------

    @Override
    public synchronized void matmul(int batch, boolean transA, boolean transB, int m, int n, int kk,
                                    float[] a, int aOff, int lda, int aBatch,
                                    float[] b, int bOff, int ldb, int bBatch,
                                    float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) return;
        int mPad = roundUp(m, BM);
        int[] p = {OP_SGEMM, batch, flag(transA), flag(transB), m, n, kk, aOff, lda, aBatch, bOff, ldb, bBatch,
                cOff, ldc, cBatch, flag(accumulate), mPad};
        System.arraycopy(p, 0, k.args, 0, p.length);
        bind(S2, a, b, c);
        // One 16x16 work-group per 64x64 block of each C_z.
        // Aparapi fetches whole arrays: C may skip the upload only when the product covers all of it.
        boolean whole = cOff == 0 && ldc == n && cBatch == m * n && (long) batch * m * n == c.length;
        launch(device.createRange2D(roundUp(n, BM) / 4, mPad / 4 * batch, TS, TS), accumulate || !whole ? 0 : S2);
        k.get(c);
    }

    @Override
    public synchronized void binary(Binary op, int[] outShape, float[] a, int[] aShape, float[] b, int[] bShape, float[] out) {
        int n = (int) Shapes.size(outShape);
        if (n == 0) return;
        int rank = checkRank(outShape);
        int[] as = Shapes.broadcastStrides(aShape, outShape), bs = Shapes.broadcastStrides(bShape, outShape);
        k.args[0] = OP_BINARY;
        k.args[1] = op.ordinal();
        k.args[2] = rank;
        k.args[3] = n;
        for (int d = 0; d < rank; d++) {
            k.args[8 + d] = outShape[d];
            k.args[16 + d] = as[d];
            k.args[24 + d] = bs[d];
        }
        bind(S2, a, b, out);
        launch(range1d(n), n == out.length ? S2 : 0);
        k.get(out);
    }

    @Override
    public synchronized void reduceInto(float[] src, int[] srcShape, float[] dst, int[] dstShape) {
        int n = (int) Shapes.size(dstShape);
        if (n == 0 || Shapes.size(srcShape) == 0) return;
        int rank = checkRank(srcShape);
        int[] dstPadded = new int[rank];
        for (int d = 0; d < rank; d++) {
            int from = d - (rank - dstShape.length);
            dstPadded[d] = from < 0 ? 1 : dstShape[from];
        }
        int count = 1, stride = 1;
        k.args[0] = OP_REDUCE;
        k.args[2] = rank;
        k.args[3] = n;
        for (int d = rank - 1; d >= 0; d--) {
            boolean reduced = dstPadded[d] == 1;
            k.args[8 + d] = dstPadded[d];
            k.args[16 + d] = stride;
            k.args[24 + d] = reduced ? srcShape[d] : 1;
            if (reduced) count *= srcShape[d];
            stride *= srcShape[d];
        }
        k.args[4] = count;
        bind(S2, src, null, dst);
        launch(range1d(n), 0);
        k.get(dst);
    }

    private static int checkRank(int[] shape) {
        if (shape.length > MAX_RANK)
            throw new IllegalArgumentException("opencl: rank " + shape.length + " > " + MAX_RANK + " for shape " + Shapes.str(shape));
        return shape.length;
    }

    @Override
    public synchronized void axpy(float alpha, float[] src, float[] dst, int n) {
        if (n == 0) return;
        k.args[0] = OP_AXPY;
        k.args[3] = n;
        k.fargs[0] = alpha;
        bind(S2, src, null, dst);
        launch(range1d(n), 0);
        k.get(dst);
    }

    @Override
    public synchronized void geluForward(float[] x, float[] out, int n) {
        elementwise(OP_GELU, n, x, null, out, S2);
    }

    @Override
    public synchronized void geluBackward(float[] dout, float[] x, float[] dx, int n) {
        elementwise(OP_GELU_BACK, n, dout, x, dx, 0);
    }

    /** out (slot 2) from s0 and s1 element by element; writeOnly: S2 unless the op accumulates. */
    private void elementwise(int op, int n, float[] s0, float[] s1, float[] out, int writeOnly) {
        if (n == 0) return;
        k.args[0] = op;
        k.args[3] = n;
        bind(S2, s0, s1, out);
        launch(range1d(n), n == out.length ? writeOnly : 0);
        k.get(out);
    }

    @Override
    public synchronized void softmaxForward(float[] x, float[] out, int rows, int d) {
        rowwise(OP_SOFTMAX, rows, d, x, null, out, S2);
    }

    @Override
    public synchronized void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d) {
        rowwise(OP_SOFTMAX_BACK, rows, d, dout, y, dx, 0);
    }

    private void rowwise(int op, int rows, int d, float[] s0, float[] s1, float[] out, int writeOnly) {
        if (rows == 0 || d == 0) return;
        k.args[0] = op;
        k.args[3] = rows;
        k.args[4] = d;
        bind(S2, s0, s1, out);
        launch(range1d(rows), (long) rows * d == out.length ? writeOnly : 0);
        k.get(out);
    }

    @Override
    public synchronized void layerNormForward(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd,
                                              int rows, int d, float eps) {
        if (rows == 0) return;
        boolean save = mean != null && rstd != null;
        k.args[0] = OP_LAYERNORM;
        k.args[3] = rows;
        k.args[4] = d;
        k.args[5] = flag(save);
        k.fargs[0] = eps;
        bind(S2 | S4 | S5, x, w, out, b, save ? mean : null, save ? rstd : null);
        launch(range1d(rows), ((long) rows * d == out.length ? S2 : 0) | (save && mean.length == rows && rstd.length == rows ? S4 | S5 : 0));
        k.get(out);
        if (save) k.get(mean).get(rstd);
    }

    @Override
    public synchronized void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                                               float[] dx, float[] dw, float[] db, int rows, int d) {
        if (rows == 0) return;
        k.args[3] = rows;
        k.args[4] = d;
        if (dx != null) {
            k.args[0] = OP_LAYERNORM_BACK_X;
            bind(S2, dout, x, dx, w, mean, rstd);
            launch(range1d(rows), 0);
            k.get(dx);
        }
        if (dw != null || db != null) {
            k.args[0] = OP_LAYERNORM_BACK_WB;
            k.args[5] = flag(dw != null);
            k.args[6] = flag(db != null);
            bind(S6 | S7, dout, x, null, null, mean, rstd, dw, db);
            launch(range1d(d), 0);
            if (dw != null) k.get(dw);
            if (db != null) k.get(db);
        }
    }

    @Override
    public synchronized void adamw(float[] w, float[] g, float[] m, float[] v, int n, float shrink, float b1, float a1,
                                   float b2, float a2, float stepSize, float bc2, float eps) {
        if (n == 0) return;
        k.args[0] = OP_ADAMW;
        k.args[3] = n;
        float[] f = {shrink, b1, a1, b2, a2, stepSize, bc2, eps};
        System.arraycopy(f, 0, k.fargs, 0, f.length);
        bind(S0 | S2 | S3, w, g, m, v);
        launch(range1d(n), 0);
        k.get(w).get(m).get(v);
    }

    /** Aparapi ran a kernel somewhere other than the OpenCL device that was asked for. */
    public static final class FallbackException extends IllegalStateException {
        FallbackException(String message) {
            super(message);
        }
    }
}
