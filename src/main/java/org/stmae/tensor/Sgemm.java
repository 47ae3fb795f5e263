package org.stmae.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API single-precision GEMM with the same contract as {@link ScalarKernels#matmul}.
 *
 * <p>GotoBLAS/BLIS structure. op(A) and op(B) are copied into packed panels (this absorbs both
 * transposes and the leading dimensions, so one micro-kernel serves every case), then a register
 * tile of {@code MR x NR} accumulators ({@code NR} = two vectors) is updated by one broadcast of A
 * and two loads of B per step of k. Cache blocking: a packed B block of {@code KC x NC} (L3), an A
 * block of {@code MC x KC} (L2), one B micro-panel of {@code KC x NR} (L1) reused down the rows.
 *
 * <p>Parallelism, three regimes: small problems (or one thread) run inline; a batch of at least
 * two matrices per thread (attention heads) gives one matrix per task, each packing into its
 * thread's own buffers; otherwise each matrix is split BLIS style: the workers pack all of op(B)
 * once into a shared buffer, then take small tasks (row blocks of C, split by columns when there
 * are few blocks) one at a time from a counter, so that a slower core simply does fewer of them.
 * With few rows (at most 2 MC) the tasks are column ranges through all rows, each packing its
 * own op(B) panels, and op(A) is read in place ({@link #sharedColumns}). With few columns,
 * {@link #blocked} and the row blocks read A in place too.
 *
 * <p>Edges: packing pads panels with zeros to whole register tiles, so the micro-kernel never has
 * a tail; a partial tile goes through a scratch tile and scalar stores.
 */
public final class Sgemm {
    private Sgemm() {}

    private static final VectorSpecies<Float> F = VectorKernels.F;
    private static final int VL = F.length();
    /**
     * Register tile: 4 rows x 2 vectors (8 accumulators). A 6 x 2 tile (12 accumulators + 2 B
     * vectors + 1 broadcast = 15 of 16 ymm) ran faster when C2 allocated it well, but C2 often
     * hoisted broadcasts and spilled an accumulator on every step (2x slower, JDK 17 and 25), so
     * it was dropped; 4 x 2 never spilled.
     */
    static final int MR = 4;
    static final int NR = 2 * VL;
    /** k per packed block: a KC x NR B micro-panel (16 KiB at 256 bits) stays in L1. */
    static final int KC = intProp("stmae.sgemm.kc", 256);
    /** Rows per packed A block: MC x KC floats stay in the 1 MiB L2. */
    static final int MC = roundUp(intProp("stmae.sgemm.mc", 144), MR);
    /** Columns per packed B block: KC x NC floats stay in L3. */
    static final int NC = roundUp(intProp("stmae.sgemm.nc", 2048), NR);
    /**
     * Below this many multiply-adds (~20 us on one core) waking the pool costs more than it
     * saves. Since the caller takes chunks itself (Parallel), 2 threads win from ~1.5 M up:
     * 128^3 42 -> 26 us, 40x384x192:nt 86 -> 48, the encoder's 24 heads of 39x64x39:nt 129 ->
     * 57; 8x(64x32x64), 1 M, lost (14-20 -> 21 us). It was 4 M before. Not final: tests
     * lower it to reach the parallel paths with small shapes.
     */
    static long parallelMinMacs = 3L << 19;


    private static int intProp(String name, int dflt) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    private static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /** Per-thread packing buffers, grown on demand and reused across calls. */
    private static final class Buffers {
        float[] a = new float[0], b = new float[0], sharedA = new float[0];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    public static void matmul(int batch, boolean transA, boolean transB, int m, int n, int k,
                              float[] a, int aOff, int lda, int aBatch,
                              float[] b, int bOff, int ldb, int bBatch,
                              float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {
        if (batch <= 0 || m <= 0 || n <= 0) return;
        if (k <= 0) {
            if (!accumulate)
                for (int z = 0; z < batch; z++)
                    for (int i = 0; i < m; i++) {
                        int row = cOff + z * cBatch + i * ldc;
                        java.util.Arrays.fill(c, row, row + n, 0f);
                    }
            return;
        }
        Problem pr = new Problem(transA, transB, m, n, k, a, aOff, lda, aBatch, b, bOff, ldb, bBatch,
                c, cOff, ldc, cBatch, accumulate);
        int threads = Parallel.available();
        long macs = (long) batch * m * n * k;
        if (threads == 1 || macs < parallelMinMacs) {
            for (int z = 0; z < batch; z++) blocked(pr, z);
        } else if (batch >= 2 * threads || batch % threads == 0) {
            // Enough independent matrices (attention heads): one per task, no shared data.
            Parallel.forEach(batch, z -> blocked(pr, z));
        } else {
            for (int z = 0; z < batch; z++) shared(pr, z, threads);
        }
    }

    /** The arguments of one call, shared by its tasks. */
    private record Problem(boolean transA, boolean transB, int m, int n, int k,
                           float[] a, int aOff, int lda, int aBatch,
                           float[] b, int bOff, int ldb, int bBatch,
                           float[] c, int cOff, int ldc, int cBatch, boolean accumulate) {}

    /** C_z on the calling thread, packing into its own buffers. */
    private static void blocked(Problem pr, int z) {
        Buffers buf = BUFFERS.get();
        int m = pr.m, n = pr.n, k = pr.k;
        int ao = pr.aOff + z * pr.aBatch, bo = pr.bOff + z * pr.bBatch, co = pr.cOff + z * pr.cBatch;
        float[] bp = buf.b = grow(buf.b, Math.min(NC, roundUp(n, NR)) * Math.min(KC, k));
        float[] ap = buf.a = grow(buf.a, Math.min(MC, roundUp(m, MR)) * Math.min(KC, k));
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(pr.transB, pr.b, bo, pr.ldb, pc, kc, jc, nc, 0, nc, bp, 0);
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic), packFrom = ic;
                    if (n <= DIRECT_A_MAX_N && mc >= MR) {
                        // Whole 4-row panels straight from A (a partial one would read past its rows).
                        int full = mc / MR * MR;
                        macroKernelInPlace(pr, co, ao, ic, full, jc, 0, nc, pc, kc, bp, 0, buf.tile);
                        packFrom = ic + full;
                    }
                    int rows = ic + mc - packFrom;
                    if (rows == 0) continue;
                    packA(pr.transA, pr.a, ao, pr.lda, pc, kc, packFrom, rows, ap, 0);
                    macroKernel(pr, co, packFrom, rows, jc, 0, nc, pc, kc, ap, 0, kc, MR, 1, bp, 0, buf.tile);
                }
            }
        }
    }

    /**
     * At most this many columns (16 panels): {@link #blocked} reads A in place instead of packing
     * it. A packed element serves one register tile per B panel, and the pack, a load and a
     * store per element, was not repaid. Against 64 before, in one JVM: attention's
     * 12x(392x64x392):nt 0.94x and 24x 0.93x (2 threads); 1 thread 0.90-0.99x on 256^3,
     * 1568x768x192, 768x1568x192:tn, 1536x1568x384:tn, 1568x1536x384.
     */
    static int DIRECT_A_MAX_N = intProp("stmae.sgemm.directn", 16 * NR);

    /**
     * At most this many columns: the row blocks of {@link #shared} read A in place too. A packed
     * A element serves one register tile per B panel, and with the decoder's 192 columns (6
     * panels) the pack, a quarter of an L3 round trip per element, was not repaid. In one JVM,
     * packed against in place (us per call, 2 threads): 1568x768x192:nt 2062 -> 1839,
     * 768x1568x192:tn 2406 -> 2159, 1568x768x192 2100 -> 1852; with more columns no better
     * (1568x384x1536:nt 1.00x, 1024^3 1.01x) or worse (1536x1568x384:tn 1.05x).
     */
    static final int SHARED_DIRECT_A_MAX_N = 8 * NR;

    /**
     * Most floats of packed B one parallel call holds (16 MiB): all of op(B) for the model's
     * shapes and 1024^3, so the call forks the pool once. Not final: tests lower it to reach the
     * chunked case.
     */
    static int sharedBMaxFloats = 1 << 22;
    /** Compute tasks per thread: enough that a slow core simply takes fewer of them. */
    static final int TASKS_PER_THREAD = intProp("stmae.sgemm.tasks", 8);
    /**
     * Once every packing item is claimed, a worker waits for those still being written: about
     * 10-50 us of spinning, longer than packing one item takes on a core of its own, then yields
     * (spinning on had cost 5.7 % of a bench-S profile with studies running beside it).
     */
    private static final int SPINS_BEFORE_YIELD = 1000;

    /**
     * C_z over the pool with one fork per chunk of columns (one chunk unless op(B) is huge) and no
     * barrier per KC block: the workers first pack the chunk's whole op(B), all KC blocks, into
     * the caller's buffer, sharing the panels through a counter; once every panel is in, they
     * take compute tasks (row blocks of C, split by columns when there are few rows) from a
     * second counter, each running through all of k with its own packed A block. Handing out
     * small tasks one at a time is what lets a fast core do more of them than a slow one (on
     * the 2-vCPU dev VM one core runs this kernel ~1.6x faster than the other); a barrier per
     * KC block made the fast core wait for the slow one four times per 1024^3 call.
     */
    private static void shared(Problem pr, int z, int threads) {
        if (pr.m <= smallM) {
            sharedColumns(pr, z, threads);
            return;
        }
        int m = pr.m, n = pr.n, k = pr.k;
        int ao = pr.aOff + z * pr.aBatch, bo = pr.bOff + z * pr.bBatch, co = pr.cOff + z * pr.cBatch;
        int kBlocks = (k + KC - 1) / KC;
        // Columns per chunk: a whole number of panels whose packed op(B) fits the cap.
        int chunk = Math.max(NR, sharedBMaxFloats / k / NR * NR);
        chunk = Math.min(chunk, roundUp(n, NR));
        Buffers own = BUFFERS.get();
        float[] bp = own.b = grow(own.b, chunk * k);

        int target = TASKS_PER_THREAD * threads;
        int rowBlocks = Math.min((m + MR - 1) / MR, Math.max((m + MC - 1) / MC, target));
        int mc = roundUp((m + rowBlocks - 1) / rowBlocks, MR);
        rowBlocks = (m + mc - 1) / mc;
        for (int jc = 0; jc < n; jc += chunk) {
            int nc = Math.min(chunk, n - jc), ncPad = roundUp(nc, NR), panels = ncPad / NR, jc0 = jc;
            int colSplits = Math.min(panels, Math.max(1, (target + rowBlocks - 1) / rowBlocks));
            int perSplit = (panels + colSplits - 1) / colSplits * NR;
            colSplits = (ncPad + perSplit - 1) / perSplit;
            // Packing items: groups of 4 panels of one KC block; block pc sits at pc * ncPad.
            int groupsPerBlock = (panels + 3) / 4, packItems = kBlocks * groupsPerBlock;
            int tasks = rowBlocks * colSplits, splits = colSplits;
            AtomicInteger next = new AtomicInteger(), packed = new AtomicInteger();
            Parallel.forEach(threads, w -> {
                int t = next.getAndIncrement();
                for (; t < packItems; t = next.getAndIncrement()) {
                    int pc = t / groupsPerBlock * KC, q = t % groupsPerBlock * 4;
                    try {
                        packB(pr.transB, pr.b, bo, pr.ldb, pc, Math.min(KC, k - pc), jc0, nc,
                                q * NR, Math.min(nc, (q + 4) * NR), bp, pc * ncPad);
                    } finally {
                        packed.incrementAndGet(); // even on a throw: the others must not spin forever
                    }
                }
                Parallel.awaitCount(packed, packItems, SPINS_BEFORE_YIELD);
                Buffers mine = BUFFERS.get();
                float[] ap = mine.a = grow(mine.a, mc * Math.min(KC, k));
                // t is this worker's first claim past the packing items: a compute task.
                for (t -= packItems; t < tasks; t = next.getAndIncrement() - packItems) {
                    int ic = (t / splits) * mc, rows = Math.min(mc, m - ic);
                    int jr0 = (t % splits) * perSplit, jr1 = Math.min(nc, jr0 + perSplit);
                    for (int pc = 0; pc < k; pc += KC) {
                        int kc = Math.min(KC, k - pc);
                        if (n <= SHARED_DIRECT_A_MAX_N && rows % MR == 0) {
                            macroKernelInPlace(pr, co, ao, ic, rows, jc0, jr0, jr1, pc, kc, bp, pc * ncPad, mine.tile);
                        } else {
                            packA(pr.transA, pr.a, ao, pr.lda, pc, kc, ic, rows, ap, 0);
                            macroKernel(pr, co, ic, rows, jc0, jr0, jr1, pc, kc, ap, 0, kc, MR, 1, bp, pc * ncPad, mine.tile);
                        }
                    }
                }
            });
        }
    }

    /**
     * Whether two independent products run better side by side, each on one of two threads, than
     * one after the other, each split over both: when either has few rows (a linear layer's input
     * and weight gradients over the encoder's visible tokens), whose split ({@link
     * #sharedColumns}) leaves the threads 1.4-1.6x faster than one where 1568 rows give 1.7-1.8x.
     * Pairs of the sparse encoder's backward, side by side against in turn: 0.88-0.95x the time,
     * and the bench-S step 0.943x. With 1568 rows pairs alone gave 0.85-1.0x, and whole steps no
     * reliable difference (bench-S's decoder 1.001x; bench-S-dense 0.94x and 1.10x in two runs
     * of 5-6 rounds), so they stay split.
     */
    static boolean sideBySide(int m1, int m2) {
        return Parallel.available() == 2 && Math.min(m1, m2) <= smallM;
    }

    /**
     * At most this many rows: {@link #sharedColumns} rather than row blocks (2 MC: op(A) about
     * two L2-sized blocks). Not final: tests set 0 to reach the row-block path with small shapes.
     */
    static int smallM = intProp("stmae.sgemm.smallm", 2 * MC);

    /**
     * C_z for few rows (the encoder's 4 x 39 visible tokens): tasks are column ranges of C, each
     * through all rows. A task packs its own op(B) panels, one KC block at a time, into its
     * thread's buffer and uses them at once, from L1/L2; op(A) (m x KC per block, in L2) is read
     * in place when untransposed, else packed once by the pool before the tasks start. Row
     * blocks of a few rows each (as {@link #shared} makes them, to have enough tasks) used each
     * packed B panel for only a few register tiles; a shared packed op(B) (all of it, before any
     * task) went through L3 twice (written, then read back) and the weight's transposed pack
     * took a quarter of the call.
     */
    private static void sharedColumns(Problem pr, int z, int threads) {
        int m = pr.m, n = pr.n, k = pr.k;
        int ao = pr.aOff + z * pr.aBatch, bo = pr.bOff + z * pr.bBatch, co = pr.cOff + z * pr.cBatch;
        int kBlocks = (k + KC - 1) / KC, mPad = roundUp(m, MR), ncPad = roundUp(n, NR), panels = ncPad / NR;
        boolean direct = !pr.transA && m % MR == 0;
        Buffers own = BUFFERS.get();
        float[] ap = direct ? pr.a : (own.sharedA = grow(own.sharedA, mPad * k));
        // Packing items (op(A) only): per KC block, groups of 8 A panels (32 rows); block pc at pc * mPad.
        int aGroups = (mPad / MR + 7) / 8, packItems = direct ? 0 : kBlocks * aGroups;
        int target = TASKS_PER_THREAD * threads;
        int perSplit = (panels + Math.min(panels, target) - 1) / Math.min(panels, target) * NR;
        int tasks = (ncPad + perSplit - 1) / perSplit;
        AtomicInteger next = new AtomicInteger(), packed = new AtomicInteger();
        Parallel.forEach(threads, w -> {
            int t = next.getAndIncrement();
            for (; t < packItems; t = next.getAndIncrement()) {
                int pc = t / aGroups * KC, kc = Math.min(KC, k - pc), i0 = t % aGroups * 8 * MR, rows = Math.min(8 * MR, m - i0);
                try {
                    packA(pr.transA, pr.a, ao, pr.lda, pc, kc, i0, rows, ap, pc * mPad + i0 * kc);
                } finally {
                    packed.incrementAndGet();
                }
            }
            Parallel.awaitCount(packed, packItems, SPINS_BEFORE_YIELD);
            Buffers mine = BUFFERS.get();
            float[] bp = mine.b = grow(mine.b, perSplit * Math.min(KC, k));
            for (t -= packItems; t < tasks; t = next.getAndIncrement() - packItems) {
                int jr0 = t * perSplit, nc = Math.min(n, jr0 + perSplit) - jr0;
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(pr.transB, pr.b, bo, pr.ldb, pc, kc, jr0, nc, 0, nc, bp, 0);
                    if (direct) macroKernelInPlace(pr, co, ao, 0, m, jr0, 0, nc, pc, kc, bp, 0, mine.tile);
                    else macroKernel(pr, co, 0, m, jr0, 0, nc, pc, kc, ap, pc * mPad, kc, MR, 1, bp, 0, mine.tile);
                }
            }
        });
    }

    private static float[] grow(float[] buf, int size) {
        return buf.length >= size ? buf : new float[size];
    }

    /**
     * C[ic:ic+mc, jc+jr0 : jc+jr1] (+)= A block times packed B panels jr0..jr1; row ir of the
     * block starts at {@code apOff + ir*rowStride} (see {@link #kernel4} for the steps).
     */
    private static void macroKernel(Problem pr, int co, int ic, int mc, int jc, int jr0, int jr1, int pc, int kc,
                                    float[] ap, int apOff, int rowStride, int stepP, int stepI, float[] bp, int bpOff, float[] tile) {
        boolean add = pr.accumulate || pc > 0;
        int ldc = pr.ldc;
        for (int jr = jr0; jr < jr1; jr += NR) {
            int nr = Math.min(NR, jr1 - jr);
            for (int ir = 0; ir < mc; ir += MR) {
                int ci = co + (ic + ir) * ldc + jc + jr, mr = Math.min(MR, mc - ir);
                kernel4(kc, ap, apOff + ir * rowStride, stepP, stepI, bp, bpOff + jr * kc, pr.c, ci, ldc, mr, nr, add, tile);
            }
        }
    }

    /** {@link #macroKernel} with whole 4-row panels of op(A) read in place from A or A^T. */
    private static void macroKernelInPlace(Problem pr, int co, int ao, int ic, int mc, int jc, int jr0, int jr1, int pc, int kc,
                                           float[] bp, int bpOff, float[] tile) {
        int lda = pr.lda;
        if (pr.transA) macroKernel(pr, co, ic, mc, jc, jr0, jr1, pc, kc, pr.a, ao + pc * lda + ic, 1, lda, 1, bp, bpOff, tile);
        else macroKernel(pr, co, ic, mc, jc, jr0, jr1, pc, kc, pr.a, ao + ic * lda + pc, lda, 1, lda, bp, bpOff, tile);
    }

    /**
     * op(B)[pc:pc+kc, jc:jc+nc] into micro-panels of NR columns: panel q at {@code q*NR*kc},
     * element (p, j) at {@code + p*NR + j}; the last panel is zero-padded. Only the panels
     * starting in [jrFrom, jrTo) are written, so the pool can share the work.
     */
    private static void packB(boolean transB, float[] b, int bo, int ldb, int pc, int kc, int jc, int nc,
                              int jrFrom, int jrTo, float[] bp, int bpOff) {
        for (int jr = jrFrom; jr < jrTo; jr += NR) {
            int nr = Math.min(NR, nc - jr), base = bpOff + jr * kc;
            if (!transB) {
                int src = bo + pc * ldb + jc + jr;
                if (nr == NR) {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        FloatVector.fromArray(F, b, src).intoArray(bp, base + p * NR);
                        FloatVector.fromArray(F, b, src + VL).intoArray(bp, base + p * NR + VL);
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += ldb) {
                        int dst = base + p * NR;
                        for (int j = 0; j < nr; j++) bp[dst + j] = b[src + j];
                        for (int j = nr; j < NR; j++) bp[dst + j] = 0f;
                    }
                }
            } else {
                // Row j of B^T is contiguous in p: read it in order, write with stride NR.
                for (int j = 0; j < nr; j++) {
                    int src = bo + (jc + jr + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = b[src + p];
                }
                for (int j = nr; j < NR; j++)
                    for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
            }
        }
    }

    /**
     * op(A)[ic:ic+mc, pc:pc+kc] into micro-panels of MR rows: panel q at {@code apOff+q*MR*kc}, element
     * (i, p) at {@code + p*MR + i}; the last panel is zero-padded.
     */
    private static void packA(boolean transA, float[] a, int ao, int lda, int pc, int kc, int ic, int mc, float[] ap, int apOff) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir), base = apOff + ir * kc;
            // Whole panels are written in order, MR values per step of k, instead of one row (or
            // one step) at a time with an inner loop over MR. Paired 1-thread samples in one JVM
            // (tools/SgemmAB.java): 1.3x for 12x(392x392x64):tn and 768x1568x192:tn, 1.16x for
            // 1536x156x384:tn, ~1.05x for the untransposed shapes. A 128-bit vector copy here was
            // 1.5x slower (C2 boxed it).
            if (mr == MR && !transA) {
                int r0 = ao + (ic + ir) * lda + pc, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda;
                for (int p = 0, d = base; p < kc; p++, d += MR) {
                    ap[d] = a[r0 + p];
                    ap[d + 1] = a[r1 + p];
                    ap[d + 2] = a[r2 + p];
                    ap[d + 3] = a[r3 + p];
                }
            } else if (mr == MR) {
                for (int p = 0, src = ao + pc * lda + ic + ir, d = base; p < kc; p++, src += lda, d += MR) {
                    ap[d] = a[src];
                    ap[d + 1] = a[src + 1];
                    ap[d + 2] = a[src + 2];
                    ap[d + 3] = a[src + 3];
                }
            } else if (!transA) {
                for (int i = 0; i < mr; i++) {
                    int src = ao + (ic + ir + i) * lda + pc;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + i] = a[src + p];
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = ao + (pc + p) * lda + ic + ir, dst = base + p * MR;
                    for (int i = 0; i < mr; i++) ap[dst + i] = a[src + i];
                }
            }
            for (int i = mr; i < MR; i++)
                for (int p = 0; p < kc; p++) ap[base + p * MR + i] = 0f;
        }
    }

    /**
     * C[ci.., ..] (+)= A panel (4 x kc) times packed B panel (kc x NR); only the top-left
     * {@code mr x nr} of the register tile is stored. A(i, p) is {@code ap[ai + p*stepP + i*stepI]}:
     * packed (MR, 1), or read in place from A (1, lda) or from A^T (lda, 1). One induction
     * variable per operand: with a separate counter C2 ran out of general registers and spilled
     * (the two strides cost nothing measurable: 1024^3 and the model's shapes 0.99-1.00x).
     */
    private static void kernel4(int kc, float[] ap, int ai, int stepP, int stepI, float[] bp, int bi, float[] c, int ci, int ldc,
                               int mr, int nr, boolean add, float[] scratch) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        int pa = ai, i2 = 2 * stepI, i3 = 3 * stepI;
        for (int pb = bi, end = bi + kc * NR; pb < end; pb += NR, pa += stepP) {
            FloatVector b0 = FloatVector.fromArray(F, bp, pb);
            FloatVector b1 = FloatVector.fromArray(F, bp, pb + VL);
            FloatVector x = FloatVector.broadcast(F, ap[pa]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[pa + stepI]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[pa + i2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[pa + i3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        if (mr == 4 && nr == NR) {
            int r0 = ci, r1 = r0 + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
            if (add) {
                c00 = c00.add(FloatVector.fromArray(F, c, r0));
                c01 = c01.add(FloatVector.fromArray(F, c, r0 + VL));
                c10 = c10.add(FloatVector.fromArray(F, c, r1));
                c11 = c11.add(FloatVector.fromArray(F, c, r1 + VL));
                c20 = c20.add(FloatVector.fromArray(F, c, r2));
                c21 = c21.add(FloatVector.fromArray(F, c, r2 + VL));
                c30 = c30.add(FloatVector.fromArray(F, c, r3));
                c31 = c31.add(FloatVector.fromArray(F, c, r3 + VL));
            }
            c00.intoArray(c, r0);
            c01.intoArray(c, r0 + VL);
            c10.intoArray(c, r1);
            c11.intoArray(c, r1 + VL);
            c20.intoArray(c, r2);
            c21.intoArray(c, r2 + VL);
            c30.intoArray(c, r3);
            c31.intoArray(c, r3 + VL);
            return;
        }
        c00.intoArray(scratch, 0);
        c01.intoArray(scratch, VL);
        c10.intoArray(scratch, NR);
        c11.intoArray(scratch, NR + VL);
        c20.intoArray(scratch, 2 * NR);
        c21.intoArray(scratch, 2 * NR + VL);
        c30.intoArray(scratch, 3 * NR);
        c31.intoArray(scratch, 3 * NR + VL);
        for (int i = 0; i < mr; i++) {
            int row = ci + i * ldc;
            for (int j = 0; j < nr; j++) c[row + j] = add ? c[row + j] + scratch[i * NR + j] : scratch[i * NR + j];
        }
    }
}
