package org.stmae.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.stmae.tensor.ScalarKernels.Binary;

/**
 * Vector API kernels. Species: {@code FloatVector.SPECIES_PREFERRED}, or the width given by
 * {@code -Dstmae.vectorBits=128|256|512}. Loops run over {@code loopBound} with a scalar tail;
 * no masked loads in inner loops (they are slow on several targets).
 */
public final class VectorKernels {
    private VectorKernels() {}

    public static final VectorSpecies<Float> F = species();

    private static VectorSpecies<Float> species() {
        String p = System.getProperty("stmae.vectorBits");
        if (p == null || p.isBlank()) return FloatVector.SPECIES_PREFERRED;
        switch (p.trim()) {
            case "64": return FloatVector.SPECIES_64;
            case "128": return FloatVector.SPECIES_128;
            case "256": return FloatVector.SPECIES_256;
            case "512": return FloatVector.SPECIES_512;
            default: throw new IllegalArgumentException("-Dstmae.vectorBits must be 64, 128, 256 or 512, got '" + p + "'");
        }
    }

    public static int vectorBits() {
        return F.vectorBitSize();
    }

    private static final int L = F.length();

    // Grains (elements per parallel chunk): a fork/join round trip costs a few microseconds, so
    // a chunk must carry at least that much work. Memory-bound runs need ~64K elements, GELU
    // (exp + two polynomials per element) ~16K; rows are grouped to the same element counts.
    private static final int GRAIN_STREAM = 1 << 16, GRAIN_GELU = 1 << 14, GRAIN_ROWS = 1 << 14;

    private static int rowGrain(int d) {
        return Math.max(1, GRAIN_ROWS / Math.max(1, d));
    }

    // ---- elementwise runs --------------------------------------------------------------------

    /** See {@link ScalarKernels#binaryRun}; bitwise equal to it (the same IEEE operation per element). */
    public static void binaryRun(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        if (n <= 0) return;
        if (as == 0 && bs == 0) { // one value for the whole run
            ScalarKernels.binaryRun(op, a, ao, 0, b, bo, 0, out, oo, 1);
            java.util.Arrays.fill(out, oo, oo + n, out[oo]);
            return;
        }
        if (n < 2 * GRAIN_STREAM) { // the common per-row call: no lambda, no pool
            binaryChunk(op, a, ao, as, b, bo, bs, out, oo, n);
            return;
        }
        Parallel.forRange(n, GRAIN_STREAM, (from, to) ->
                binaryChunk(op, a, ao + from * as, as, b, bo + from * bs, bs, out, oo + from, to - from));
    }

    // One loop per (operator, operand steps): the operator must be a constant for C2 to
    // intrinsify it, and a step-0 operand is a broadcast scalar, not a load.
    private static void binaryChunk(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] out, int oo, int n) {
        int i = 0, ub = F.loopBound(n);
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD -> { for (; i < ub; i += L) load(a, ao + i).add(load(b, bo + i)).intoArray(out, oo + i); }
                case SUB -> { for (; i < ub; i += L) load(a, ao + i).sub(load(b, bo + i)).intoArray(out, oo + i); }
                case MUL -> { for (; i < ub; i += L) load(a, ao + i).mul(load(b, bo + i)).intoArray(out, oo + i); }
                case DIV -> { for (; i < ub; i += L) load(a, ao + i).div(load(b, bo + i)).intoArray(out, oo + i); }
            }
        } else if (as == 1) { // b broadcast
            float s = b[bo];
            switch (op) {
                case ADD -> { for (; i < ub; i += L) load(a, ao + i).add(s).intoArray(out, oo + i); }
                case SUB -> { for (; i < ub; i += L) load(a, ao + i).sub(s).intoArray(out, oo + i); }
                case MUL -> { for (; i < ub; i += L) load(a, ao + i).mul(s).intoArray(out, oo + i); }
                case DIV -> { for (; i < ub; i += L) load(a, ao + i).div(s).intoArray(out, oo + i); }
            }
        } else { // a broadcast
            FloatVector s = FloatVector.broadcast(F, a[ao]);
            switch (op) {
                case ADD -> { for (; i < ub; i += L) s.add(load(b, bo + i)).intoArray(out, oo + i); }
                case SUB -> { for (; i < ub; i += L) s.sub(load(b, bo + i)).intoArray(out, oo + i); }
                case MUL -> { for (; i < ub; i += L) s.mul(load(b, bo + i)).intoArray(out, oo + i); }
                case DIV -> { for (; i < ub; i += L) s.div(load(b, bo + i)).intoArray(out, oo + i); }
            }
        }
        ScalarKernels.binaryRun(op, a, ao + i * as, as, b, bo + i * bs, bs, out, oo + i, n - i);
    }

    /** See {@link ScalarKernels#accumulateRun}; with ds == 0 the sum is reassociated. */
    public static void accumulateRun(float[] src, int so, float[] dst, int dOff, int ds, int n) {
        if (ds == 0) {
            dst[dOff] += sum(src, so, n);
            return;
        }
        if (n < 2 * GRAIN_STREAM) addInto(src, so, dst, dOff, n);
        else Parallel.forRange(n, GRAIN_STREAM, (from, to) -> addInto(src, so + from, dst, dOff + from, to - from));
    }

    /** See {@link ScalarKernels#axpy}; uses fma, so within half an ulp of the scalar result. */
    public static void axpy(float alpha, float[] src, float[] dst, int n) {
        // Memory-bound: C2 auto-vectorizes the scalar loop too, so this only matches it (within
        // ~10%) on one thread; the split pays where more memory bandwidth is free.
        if (n < 2 * GRAIN_STREAM) axpyChunk(alpha, src, dst, 0, n);
        else Parallel.forRange(n, GRAIN_STREAM, (from, to) -> axpyChunk(alpha, src, dst, from, to));
    }

    private static void axpyChunk(float alpha, float[] src, float[] dst, int from, int to) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = from, ub = from + F.loopBound(to - from);
        for (; i < ub; i += L) va.fma(load(src, i), load(dst, i)).intoArray(dst, i);
        for (; i < to; i++) dst[i] += alpha * src[i];
    }

    /**
     * Sum of x[off, off + n). Long runs are cut into fixed blocks (independent of the thread
     * count, so the result is deterministic) summed in parallel, then added in block order.
     */
    static float sum(float[] x, int off, int n) {
        int blocks = (n + GRAIN_STREAM - 1) / GRAIN_STREAM;
        if (blocks <= 1) return sumInline(x, off, n);
        float[] part = new float[blocks];
        Parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int k = b0; k < b1; k++) {
                int from = k * GRAIN_STREAM;
                part[k] = sumInline(x, off + from, Math.min(n, from + GRAIN_STREAM) - from);
            }
        });
        float s = 0;
        for (float p : part) s += p;
        return s;
    }

    /** Four accumulators hide the add latency; one vector loop then a scalar tail. */
    private static float sumInline(float[] x, int off, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0, ub4 = n - n % (4 * L), ub = F.loopBound(n);
        for (; i < ub4; i += 4 * L) {
            s0 = s0.add(load(x, off + i));
            s1 = s1.add(load(x, off + i + L));
            s2 = s2.add(load(x, off + i + 2 * L));
            s3 = s3.add(load(x, off + i + 3 * L));
        }
        for (; i < ub; i += L) s0 = s0.add(load(x, off + i));
        float s = addLanes(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s += x[off + i];
        return s;
    }

    /** sum_i a[ao + i] * b[bo + i] with four fma accumulators. */
    private static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        int i = 0, ub4 = n - n % (4 * L), ub = F.loopBound(n);
        for (; i < ub4; i += 4 * L) {
            s0 = load(a, ao + i).fma(load(b, bo + i), s0);
            s1 = load(a, ao + i + L).fma(load(b, bo + i + L), s1);
            s2 = load(a, ao + i + 2 * L).fma(load(b, bo + i + 2 * L), s2);
            s3 = load(a, ao + i + 3 * L).fma(load(b, bo + i + 3 * L), s3);
        }
        for (; i < ub; i += L) s0 = load(a, ao + i).fma(load(b, bo + i), s0);
        float s = addLanes(s0.add(s1).add(s2.add(s3)));
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /**
     * The lanes' sum in lane order. reduceLanes(ADD) leaves the order open, and the compiled and
     * interpreted forms do differ, so a run's bits would depend on JIT timing (JitIndependenceTest).
     */
    private static float addLanes(FloatVector v) {
        // Into a per-thread scratch array: toArray() allocated 64 bytes per row reduction, most of
        // the garbage a bench-S step left after the workspace (~10 MB a step, a young collection
        // of tens of milliseconds every few seconds).
        float[] lanes = LANES.get();
        v.intoArray(lanes, 0);
        float s = lanes[0];
        for (int i = 1; i < L; i++) s += lanes[i];
        return s;
    }

    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[L]);

    private static FloatVector load(float[] a, int off) {
        return FloatVector.fromArray(F, a, off);
    }

    // ---- GELU --------------------------------------------------------------------------------

    private static final float INV_SQRT2 = 0.70710678f, INV_SQRT_2PI = 0.39894228f;

    /*
     * GELU's vector form is about 40 Vector API calls per element, each inlined by C2 through
     * several layers. In one compiled unit that runs past C2's inlining budget
     * (NodeCountInliningCutoff) and the calls left over run as boxed Java fallbacks, 4x slower:
     * JDK 25 always, JDK 17 depending on the profile. So each kernel is three passes, each its own
     * small class that C2 compiles on its own: exp(-x^2/2), then Phi(-|x|), then the few
     * operations that combine them. The passes are called through one interface call site that
     * sees three classes, which C2 does not inline. They run block by block (GELU_BLOCK floats,
     * L1-sized) over per-thread scratch: whole-array passes allocated two arrays of n floats per
     * call and went through memory three times (bench-S: 6 ns per element on 2 threads in a step).
     */

    /** One pass of a GELU kernel over [from, to) (whole vectors); s holds exp(-x^2/2) and Phi(-|x|) at i - from. */
    private interface GeluPass {
        void run(float[] x, float[] dout, float[] out, GeluScratch s, int from, int to);
    }

    private static final int GELU_BLOCK = 1024;

    private static final class GeluScratch {
        final float[] ez = new float[GELU_BLOCK], h = new float[GELU_BLOCK];
    }

    private static final ThreadLocal<GeluScratch> GELU_SCRATCH = ThreadLocal.withInitial(GeluScratch::new);

    /** exp(-x^2 / 2). */
    private static final class GaussianExp implements GeluPass {
        public void run(float[] x, float[] dout, float[] out, GeluScratch s, int from, int to) {
            for (int i = from; i < to; i += L) {
                FloatVector v = load(x, i);
                VectorExp.exp(v.mul(v).mul(-0.5f)).intoArray(s.ez, i - from);
            }
        }
    }

    /** Phi(-|x|) = erfc(|x| / sqrt 2) / 2, given exp(-x^2 / 2). */
    private static final class HalfErfc implements GeluPass {
        public void run(float[] x, float[] dout, float[] out, GeluScratch s, int from, int to) {
            for (int i = from; i < to; i += L) {
                FloatVector z = load(x, i).abs().mul(INV_SQRT2);
                FloatVector small = VectorErf.erfSmall(z, z.mul(z)).fma(-0.5f, 0.5f);
                VectorErf.erfcTail(z, load(s.ez, i - from)).mul(0.5f).blend(small, z.lt(1f)).intoArray(s.h, i - from);
            }
        }
    }

    /**
     * GELU(x) = x * Phi(x). With h = Phi(-|x|), which is accurate in the tail: Phi(x) = 1 - h for
     * x >= 0 (out = x - x h, one fma) and h for x < 0.
     */
    private static final class GeluOut implements GeluPass {
        public void run(float[] x, float[] dout, float[] out, GeluScratch s, int from, int to) {
            for (int i = from; i < to; i += L) {
                FloatVector v = load(x, i), hv = load(s.h, i - from);
                v.mul(hv).blend(v.neg().fma(hv, v), v.compare(VectorOperators.GE, 0f)).intoArray(out, i);
            }
        }
    }

    /** dx (+)= dout * (Phi(x) + x * phi(x)); phi(x) = exp(-x^2 / 2) / sqrt(2 pi) reuses erfc's exp. */
    private static final class GeluGrad implements GeluPass {
        private final boolean accumulate;

        GeluGrad(boolean accumulate) {
            this.accumulate = accumulate;
        }

        public void run(float[] x, float[] dout, float[] dx, GeluScratch s, int from, int to) {
            for (int i = from; i < to; i += L) {
                FloatVector v = load(x, i), hv = load(s.h, i - from);
                FloatVector cdf = hv.blend(hv.neg().add(1f), v.compare(VectorOperators.GE, 0f));
                FloatVector slope = v.mul(INV_SQRT_2PI).fma(load(s.ez, i - from), cdf);
                (accumulate ? load(dout, i).fma(slope, load(dx, i)) : load(dout, i).mul(slope)).intoArray(dx, i);
            }
        }
    }

    private static final GeluPass[] GELU_FORWARD = {new GaussianExp(), new HalfErfc(), new GeluOut()};
    private static final GeluPass[] GELU_BACKWARD_ADD = {new GaussianExp(), new HalfErfc(), new GeluGrad(true)};
    private static final GeluPass[] GELU_BACKWARD_SET = {new GaussianExp(), new HalfErfc(), new GeluGrad(false)};

    /** The passes block by block over the whole vectors of [0, n), split over the pool. */
    private static void gelu(GeluPass[] passes, float[] x, float[] dout, float[] out, int n) {
        forVectors(n, GRAIN_GELU, (from, to) -> {
            GeluScratch s = GELU_SCRATCH.get();
            for (int b = from; b < to; b += GELU_BLOCK) {
                int e = Math.min(to, b + GELU_BLOCK);
                for (GeluPass p : passes) p.run(x, dout, out, s, b, e);
            }
        });
    }

    /** See {@link GeluOut}; the tail past the last whole vector takes the scalar oracle's formula. */
    public static void geluForward(float[] x, float[] out, int n) {
        gelu(GELU_FORWARD, x, null, out, n);
        for (int i = F.loopBound(n); i < n; i++) out[i] = (float) (x[i] * 0.5 * (1.0 + Erf.erf(x[i] * 0.7071067811865476)));
    }

    /** See {@link GeluGrad}. */
    public static void geluBackward(float[] dout, float[] x, float[] dx, int n, boolean accumulate) {
        gelu(accumulate ? GELU_BACKWARD_ADD : GELU_BACKWARD_SET, x, dout, dx, n);
        for (int i = F.loopBound(n); i < n; i++) { // the scalar oracle's formula
            double v = x[i], cdf = 0.5 * (1.0 + Erf.erf(v * 0.7071067811865476));
            float g = (float) (dout[i] * (cdf + v * 0.3989422804014327 * Math.exp(-0.5 * v * v)));
            dx[i] = accumulate ? dx[i] + g : g;
        }
    }

    /** {@code body} over [0, loopBound(n)) split over the pool at whole vectors. */
    private static void forVectors(int n, int grain, Parallel.RangeBody body) {
        Parallel.forRange(n / L, Math.max(1, grain / L), (v0, v1) -> body.run(v0 * L, v1 * L));
    }

    // ---- softmax over the last axis ----------------------------------------------------------

    /**
     * See {@link ScalarKernels#softmaxForward}; rows split over the pool. Three passes (row
     * maxima, exponentials, sums and scaling), each its own lambda: with all three in one
     * compiled unit C2 ran out of inlining budget inside exp (JDK 25), as with GELU above.
     * The scale is applied as the exponentials are taken: for scale > 0 the largest rounded
     * product is the rounded product of the largest x, so the row maxima need no multiply.
     */
    public static void softmaxForward(float[] x, float[] out, int rows, int d, float scale) {
        float[] max = new float[rows];
        int grain = rowGrain(d), ub = F.loopBound(d);
        Parallel.forRange(rows, grain, (r0, r1) -> {
            for (int r = r0; r < r1; r++) max[r] = max(x, r * d, d) * scale;
        });
        Parallel.forRange(rows, grain, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * d, j = 0;
                FloatVector vmax = FloatVector.broadcast(F, max[r]);
                for (; j < ub; j += L) VectorExp.exp(load(x, o + j).mul(scale).sub(vmax)).intoArray(out, o + j);
                for (; j < d; j++) out[o + j] = (float) Math.exp(x[o + j] * scale - max[r]);
            }
        });
        Parallel.forRange(rows, grain, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * d, j = 0;
                FloatVector vs = FloatVector.zero(F);
                for (; j < ub; j += L) vs = vs.add(load(out, o + j)); // one accumulator, in order
                float sum = addLanes(vs);
                for (; j < d; j++) sum += out[o + j];
                float inv = 1f / sum;
                for (j = 0; j < ub; j += L) load(out, o + j).mul(inv).intoArray(out, o + j);
                for (; j < d; j++) out[o + j] *= inv;
            }
        });
    }

    private static float max(float[] x, int off, int n) {
        FloatVector m0 = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY), m1 = m0;
        int i = 0, ub2 = n - n % (2 * L), ub = F.loopBound(n);
        for (; i < ub2; i += 2 * L) {
            m0 = m0.max(load(x, off + i));
            m1 = m1.max(load(x, off + i + L));
        }
        for (; i < ub; i += L) m0 = m0.max(load(x, off + i));
        float m = m0.max(m1).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, x[off + i]);
        return m;
    }

    /** See {@link ScalarKernels#softmaxBackward}: dx (+)= scale * y * (dy - dot(dy, y)) per row. */
    public static void softmaxBackward(float[] dout, float[] y, float[] dx, int rows, int d, float scale, boolean accumulate) {
        Parallel.forRange(rows, rowGrain(d), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * d, j = 0, ub = F.loopBound(d);
                float dot = dot(dout, o, y, o, d);
                FloatVector vs = FloatVector.broadcast(F, scale);
                for (; j < ub; j += L) {
                    FloatVector t = load(y, o + j).mul(load(dout, o + j).sub(dot));
                    (accumulate ? t.fma(vs, load(dx, o + j)) : t.mul(vs)).intoArray(dx, o + j);
                }
                for (; j < d; j++) {
                    float t = y[o + j] * (dout[o + j] - dot);
                    dx[o + j] = accumulate ? dx[o + j] + scale * t : scale * t;
                }
            }
        });
    }

    // ---- layer norm over the last axis -------------------------------------------------------

    /** See {@link ScalarKernels#layerNormForward}: two-pass mean and variance per row. */
    public static void layerNormForward(float[] x, float[] w, float[] b, float[] out, float[] mean, float[] rstd, int rows, int d, float eps) {
        Parallel.forRange(rows, rowGrain(d), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * d, j = 0, ub = F.loopBound(d);
                float m = sumInline(x, o, d) / d;
                float v = sqDev(x, o, d, m) / d;
                float s = (float) (1.0 / Math.sqrt(v + eps));
                for (; j < ub; j += L)
                    load(x, o + j).sub(m).mul(s).fma(load(w, j), load(b, j)).intoArray(out, o + j);
                for (; j < d; j++) out[o + j] = (x[o + j] - m) * s * w[j] + b[j];
                if (mean != null) mean[r] = m;
                if (rstd != null) rstd[r] = s;
            }
        });
    }

    /** sum_i (x[off + i] - m)^2 with two fma accumulators. */
    private static float sqDev(float[] x, int off, int n, float m) {
        FloatVector s0 = FloatVector.zero(F), s1 = s0;
        int i = 0, ub2 = n - n % (2 * L), ub = F.loopBound(n);
        for (; i < ub2; i += 2 * L) {
            FloatVector c0 = load(x, off + i).sub(m), c1 = load(x, off + i + L).sub(m);
            s0 = c0.fma(c0, s0);
            s1 = c1.fma(c1, s1);
        }
        for (; i < ub; i += L) {
            FloatVector c = load(x, off + i).sub(m);
            s0 = c.fma(c, s0);
        }
        float s = addLanes(s0.add(s1));
        for (; i < n; i++) s += (x[off + i] - m) * (x[off + i] - m);
        return s;
    }

    /**
     * See {@link ScalarKernels#layerNormBackward}. Rows are cut into fixed blocks (a function of
     * the shape only); with dw or db wanted, each block sums into its own partial, and the
     * partials are added in block order, so results do not depend on the thread count.
     */
    public static void layerNormBackward(float[] dout, float[] x, float[] w, float[] mean, float[] rstd,
                                         float[] dx, float[] dw, float[] db, int rows, int d, boolean accumulateDx) {
        int rb = rowGrain(d), blocks = (rows + rb - 1) / rb;
        if (blocks <= 1 || dw == null && db == null) {
            Parallel.forRange(rows, rb, (r0, r1) -> layerNormBackRows(dout, x, w, mean, rstd, dx, accumulateDx, dw, db, 0, r0, r1, d));
            return;
        }
        float[] pw = dw == null ? null : new float[blocks * d], pb = db == null ? null : new float[blocks * d];
        Parallel.forRange(blocks, 1, (k0, k1) -> {
            for (int k = k0; k < k1; k++)
                layerNormBackRows(dout, x, w, mean, rstd, dx, accumulateDx, pw, pb, k * d, k * rb, Math.min(rows, (k + 1) * rb), d);
        });
        for (int k = 0; k < blocks; k++) {
            if (dw != null) addInto(pw, k * d, dw, 0, d);
            if (db != null) addInto(pb, k * d, db, 0, d);
        }
    }

    // Three passes over a row (it stays in L1): the two reductions, the parameter gradients,
    // then dx; a null-check inside the reduction loop kept JDK 17's C2 from vectorizing it well.
    private static void layerNormBackRows(float[] dout, float[] x, float[] w, float[] mean, float[] rstd, float[] dx, boolean accumulateDx,
                                          float[] dw, float[] db, int wo, int r0, int r1, int d) {
        int ub = F.loopBound(d);
        for (int r = r0; r < r1; r++) {
            int o = r * d, j = 0;
            float m = mean[r], s = rstd[r];
            FloatVector g0 = FloatVector.zero(F), gx0 = g0;
            for (; j < ub; j += L) {
                FloatVector xhat = load(x, o + j).sub(m).mul(s), g = load(dout, o + j).mul(load(w, j));
                g0 = g0.add(g);
                gx0 = g.fma(xhat, gx0);
            }
            float gMean = addLanes(g0), gxMean = addLanes(gx0);
            for (; j < d; j++) {
                float xhat = (x[o + j] - m) * s, g = dout[o + j] * w[j];
                gMean += g;
                gxMean += g * xhat;
            }
            gMean /= d;
            gxMean /= d;
            if (dw != null) {
                for (j = 0; j < ub; j += L)
                    load(dout, o + j).fma(load(x, o + j).sub(m).mul(s), load(dw, wo + j)).intoArray(dw, wo + j);
                for (; j < d; j++) dw[wo + j] += dout[o + j] * ((x[o + j] - m) * s);
            }
            if (db != null) addInto(dout, o, db, wo, d);
            if (dx == null) continue;
            FloatVector vs = FloatVector.broadcast(F, s);
            for (j = 0; j < ub; j += L) {
                FloatVector xhat = load(x, o + j).sub(m).mul(s);
                FloatVector t = load(dout, o + j).mul(load(w, j)).sub(gMean).sub(xhat.mul(gxMean));
                (accumulateDx ? t.fma(vs, load(dx, o + j)) : t.mul(vs)).intoArray(dx, o + j);
            }
            for (; j < d; j++) {
                float xhat = (x[o + j] - m) * s, g = s * (dout[o + j] * w[j] - gMean - xhat * gxMean);
                dx[o + j] = accumulateDx ? dx[o + j] + g : g;
            }
        }
    }

    /** dst[dOff, dOff + n) += src[so, so + n). */
    static void addInto(float[] src, int so, float[] dst, int dOff, int n) {
        int i = 0, ub = F.loopBound(n);
        for (; i < ub; i += L) load(dst, dOff + i).add(load(src, so + i)).intoArray(dst, dOff + i);
        for (; i < n; i++) dst[dOff + i] += src[so + i];
    }

    // ---- masked squared error ----------------------------------------------------------------

    /**
     * See {@link ScalarKernels#maskedSquaredError}: tokens over the pool, each token's sum in
     * double with four accumulators (not one chain: ~4x fewer cycles), the tokens' terms then
     * added in order, so the result does not depend on the thread count.
     */
    public static double maskedSquaredError(float[] x, float[] y, float[] w, int tokens, int p) {
        double[] se = new double[tokens];
        Parallel.forRange(tokens, Math.max(1, GRAIN_STREAM / p), (t0, t1) -> {
            for (int t = t0; t < t1; t++) if (w[t] != 0) se[t] = squaredDifference(x, y, t * p, p);
        });
        double total = 0;
        for (int t = 0; t < tokens; t++) if (w[t] != 0) total += w[t] * (se[t] / p);
        return total;
    }

    private static double squaredDifference(float[] x, float[] y, int o, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            double d0 = x[o + j] - y[o + j], d1 = x[o + j + 1] - y[o + j + 1];
            double d2 = x[o + j + 2] - y[o + j + 2], d3 = x[o + j + 3] - y[o + j + 3];
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; j < n; j++) {
            double d = x[o + j] - y[o + j];
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** See {@link ScalarKernels#maskedSquaredErrorBackward}; the same operations per element, over the pool. */
    public static void maskedSquaredErrorBackward(double scale, float[] x, float[] y, float[] w, float[] dx, int tokens, int p) {
        Parallel.forRange(tokens, Math.max(1, GRAIN_STREAM / p), (t0, t1) -> {
            int ub = F.loopBound(p);
            for (int t = t0; t < t1; t++) {
                if (w[t] == 0) continue;
                float c = (float) (scale * w[t]);
                int o = t * p, j = 0;
                for (; j < ub; j += L) load(x, o + j).sub(load(y, o + j)).mul(c).add(load(dx, o + j)).intoArray(dx, o + j);
                for (; j < p; j++) dx[o + j] += c * (x[o + j] - y[o + j]);
            }
        });
    }

    // ---- AdamW -------------------------------------------------------------------------------

    /** {@link ScalarKernels#adamw}, lane by lane with the same operations (no fma), so the bits agree. */
    public static void adamw(float[] w, float[] g, float[] m, float[] v, int n, float shrink, float b1, float a1,
                             float b2, float a2, float stepSize, float bc2, float eps) {
        if (n < 2 * GRAIN_STREAM) adamwChunk(w, g, m, v, 0, n, shrink, b1, a1, b2, a2, stepSize, bc2, eps);
        else Parallel.forRange(n, GRAIN_STREAM, (from, to) -> adamwChunk(w, g, m, v, from, to, shrink, b1, a1, b2, a2, stepSize, bc2, eps));
    }

    /**
     * {@link #adamw} of many tensors in one pass over the pool (tensor i: n[i] values, shrink[i]
     * and stepSize[i]; a null gradient skipped): the tensors are cut into pieces of at most
     * GRAIN_STREAM values, and the pool takes the pieces of all of them, so small tensors cost no
     * fork each and no thread waits at the end of every large one. bench-S's 271 tensors took
     * 9.2 ms of a step one call each; the update is memory-bound (28 bytes a value).
     */
    public static void adamw(float[][] w, float[][] g, float[][] m, float[][] v, int[] n, float[] shrink, float b1, float a1,
                             float b2, float a2, float[] stepSize, float bc2, float eps) {
        int pieces = 0;
        for (int i = 0; i < w.length; i++) if (g[i] != null) pieces += (n[i] + GRAIN_STREAM - 1) / GRAIN_STREAM;
        int[] tensor = new int[pieces], from = new int[pieces];
        for (int i = 0, p = 0; i < w.length; i++)
            if (g[i] != null)
                for (int f = 0; f < n[i]; f += GRAIN_STREAM, p++) {
                    tensor[p] = i;
                    from[p] = f;
                }
        Parallel.forRange(pieces, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int i = tensor[p], to = Math.min(n[i], from[p] + GRAIN_STREAM);
                adamwChunk(w[i], g[i], m[i], v[i], from[p], to, shrink[i], b1, a1, b2, a2, stepSize[i], bc2, eps);
            }
        });
    }

    private static void adamwChunk(float[] w, float[] g, float[] m, float[] v, int from, int to, float shrink, float b1, float a1,
                                   float b2, float a2, float stepSize, float bc2, float eps) {
        int j = from;
        for (int bound = from + F.loopBound(to - from); j < bound; j += L) {
            FloatVector gj = FloatVector.fromArray(F, g, j);
            FloatVector mj = FloatVector.fromArray(F, m, j).mul(b1).add(gj.mul(a1));
            FloatVector vj = FloatVector.fromArray(F, v, j).mul(b2).add(gj.mul(a2).mul(gj));
            FloatVector denom = vj.lanewise(VectorOperators.SQRT).div(bc2).add(eps);
            FloatVector wj = FloatVector.fromArray(F, w, j).mul(shrink);
            wj.add(mj.div(denom).mul(stepSize)).intoArray(w, j);
            mj.intoArray(m, j);
            vj.intoArray(v, j);
        }
        for (; j < to; j++) {
            w[j] *= shrink;
            m[j] = m[j] * b1 + a1 * g[j];
            v[j] = v[j] * b2 + a2 * g[j] * g[j];
            float denom = (float) Math.sqrt(v[j]) / bc2 + eps;
            w[j] += stepSize * (m[j] / denom);
        }
    }
}
