package org.stmae.opencl;

import static org.stmae.opencl.DeviceKernel.*;

import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import org.stmae.tensor.Backend;
import org.stmae.tensor.DeviceBuffer;
import org.stmae.tensor.ScalarKernels.Binary;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Storage;
import org.stmae.tensor.Tensor;

/**
 * The OpenCL backend: every kernel runs as one launch of {@link DeviceKernel} on one device, and
 * tensors stay on the device between ops. Each tensor's device copy is a region of one arena
 * array (see {@link DeviceKernel} for why one), allocated by {@link Arena} when a kernel first
 * touches the tensor and released by a {@link Cleaner} when the tensor's storage dies. Values move
 * only when {@link Storage} asks: an input whose host copy is newer goes up before the op, and
 * {@link Tensor#data()} brings a result down; an op itself transfers nothing but its arguments
 * (and the scalar that a loss or norm returns).
 *
 * <p>Aparapi runs in explicit mode: {@code put} sends a whole array at the next launch, {@code get}
 * fetches one at once. The arena is sent whole only when it grows; tensors cross through a staging
 * field bound to the host array itself. Aparapi re-creates a field's device buffer from the host
 * array whenever the JVM has moved that array, which for the arena would silently replace the
 * device's values with the stale host mirror: a sentinel the device wrote at the arena's end,
 * checked on every download, turns that into an error.
 *
 * <p>Aparapi falls back to a Java thread pool when it cannot run a kernel on the device; this
 * backend checks where every launch ran and throws {@link FallbackException} naming the op and
 * Aparapi's logged reason instead of returning numbers computed somewhere else.
 */
public final class OpenClBackend implements Backend, AutoCloseable {
    private static final int GROUP = 64; // work-group size of the 1-D ops
    /** The slot of an operand an op does not use: a valid index that the op never touches. */
    private static final int NONE = 0;
    private static final int INITIAL_ARENA = 16 << 20; // floats
    /** Aparapi sizes a device buffer with a jint of bytes: one array holds less than 2 GiB. */
    private static final int MAX_ARENA_MB = 2047;
    /**
     * Written by the device into the arena's last float, where a new host array holds 0: a device
     * buffer re-created from the host mirror (COPY_HOST_PTR, a GPU) loses it, while a device that
     * works in the host array itself (USE_HOST_PTR, PoCL) keeps it, as it keeps every value.
     */
    static final float SENTINEL = -0x1.5eedp-99f;
    private static final int SUM_CHUNK = 4096;
    private static final int GC_ATTEMPTS = 8;
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenCLDevice device;
    private final String name;
    final DeviceKernel k; // package-private: a test re-binds the arena as a GC move would
    private final Arena arena;
    private final int maxFloats;
    /** Storages resolved for the op in progress, kept reachable until its slots are set (see region). */
    private final List<Storage> resolving = new ArrayList<>();
    private long uploads, uploadedBytes, downloads, downloadedBytes, launches;
    private int growths;

    /** Opens {@code device} and compiles the kernels once (a no-op launch), failing loudly. */
    public OpenClBackend(OpenClDevices.Entry entry) {
        this(entry, INITIAL_ARENA, maxArenaFloats(entry.device()));
    }

    /** With an arena of {@code initialFloats} that may grow to {@code maxFloats} (tests use small ones). */
    OpenClBackend(OpenClDevices.Entry entry, int initialFloats, int maxFloats) {
        this.device = entry.device();
        this.name = "opencl:" + entry.index() + " (" + entry.device().getName().trim() + ")";
        this.maxFloats = maxFloats / Arena.ALIGN * Arena.ALIGN;
        int initial = Math.max(2 * Arena.ALIGN, Math.min(initialFloats, this.maxFloats) / Arena.ALIGN * Arena.ALIGN);
        k = new DeviceKernel(initial);
        arena = new Arena(initial - Arena.ALIGN);
        k.setExplicit(true);
        AparapiLog.install();
        // Compiles the program: a translation or compile failure, or no fp64, stops here.
        launch(OP_NOP, device.createRange(1, 1));
        writeSentinel();
    }

    /** -Dstmae.opencl.arenaMB (default and most 2047), capped by the device's largest buffer. */
    private static int maxArenaFloats(OpenCLDevice d) {
        String p = System.getProperty("stmae.opencl.arenaMB", String.valueOf(MAX_ARENA_MB));
        int mb;
        try {
            mb = Integer.parseInt(p.trim());
        } catch (NumberFormatException e) {
            mb = -1;
        }
        if (mb < 1 || mb > MAX_ARENA_MB)
            throw new IllegalArgumentException("-Dstmae.opencl.arenaMB must be 1.." + MAX_ARENA_MB
                    + " (Aparapi sizes a device buffer with a 32-bit byte count), got '" + p + "'");
        long bytes = Math.min((long) mb << 20, d.getMaxMemAllocSize());
        return (int) (bytes / Float.BYTES);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void close() {
        k.dispose();
    }

    /** Transfers and launches since the backend opened, and the arena's state. */
    public record Stats(long uploads, long uploadedBytes, long downloads, long downloadedBytes, long launches,
                        int arenaGrowths, long arenaBytesInUse, long arenaBytes) {}

    /** Uploads count host arrays sent (a fresh tensor's zeros are a fill on the device, not an upload). */
    public synchronized Stats stats() {
        return new Stats(uploads, uploadedBytes, downloads, downloadedBytes, launches,
                growths, 4L * arena.used(), 4L * k.mem.length);
    }

    // ---- device copies -------------------------------------------------------------------------

    /** A tensor's values on this device: floats [offset, offset + length) of the arena. */
    private final class Region implements DeviceBuffer {
        final int offset, length;

        Region(int offset, int length) {
            this.offset = offset;
            this.length = length;
        }

        @Override
        public Backend owner() {
            return OpenClBackend.this;
        }

        @Override
        public void upload(float[] from) {
            OpenClBackend.this.upload(this, from);
        }

        @Override
        public void download(float[] into) {
            OpenClBackend.this.download(this, into);
        }
    }

    /** Where an input starts in the arena, sent up first if the host has newer values; null: NONE. */
    private int in(Tensor t) {
        return t == null ? NONE : region(t, true).offset;
    }

    /** Where an output starts; {@code whole}: the op overwrites all of it, so its old values need not go up. */
    private int out(Tensor t, boolean whole) {
        return t == null ? NONE : region(t, !whole).offset;
    }

    /**
     * The tensor's region, allocated on first use. Its storage stays referenced until the op's
     * slots are set: a caller may hold an operand only through this call, and if a GC ran the
     * Cleaner before the op launched, a later operand of the same op could get its block.
     */
    private Region region(Tensor t, boolean read) {
        Storage s = t.storage();
        resolving.add(s);
        return (Region) s.forDevice(this, n -> allocate(s, n), read);
    }

    private Region allocate(Storage owner, int length) {
        int size = Arena.aligned(length);
        int start = reserve(size);
        CLEANER.register(owner, arena.releaser(start, size));
        return new Region(start, length);
    }

    /** A free block of {@code size} floats: grows the arena, then at its largest collects dead tensors. */
    private int reserve(int size) {
        boolean possible = size <= maxFloats - Arena.ALIGN;
        int collections = 0;
        while (true) {
            int start = arena.allocate(size);
            if (start >= 0) return start;
            if (possible && k.mem.length < maxFloats) grow(size);
            else if (possible && collections++ < GC_ATTEMPTS) collect();
            else throw new IllegalStateException(String.format(Locale.ROOT,
                    "opencl: device memory arena full (%.1f MB in use of %.1f MB; need %.1f MB); raise -Dstmae.opencl.arenaMB",
                    mb(arena.used()), mb(maxFloats), mb(size)));
        }
    }

    private static double mb(long floats) {
        return floats * 4.0 / (1 << 20);
    }

    /** The Cleaner releases the blocks of tensors that died; a GC finds them. */
    private void collect() {
        System.gc();
        try {
            arena.awaitRelease(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Doubles the arena until its new tail holds {@code size} floats (or it reaches the maximum):
     * the device's values come to the host mirror, move to a bigger array, and go up with it.
     * Offsets stay valid.
     */
    private void grow(int size) {
        float[] old = k.mem;
        long target = old.length;
        while (target < (long) old.length + size) target *= 2;
        int length = (int) Math.min(maxFloats, target);
        k.get(old);
        if (old[old.length - 1] != SENTINEL) throw lostArena();
        float[] bigger = Arrays.copyOf(old, length);
        k.mem = bigger;
        k.put(bigger);
        arena.extend(length - Arena.ALIGN);
        growths++;
        writeSentinel();
    }

    private void writeSentinel() {
        k.args[SENTINEL_AT] = k.mem.length - 1;
        fill(k.mem.length - 1, 1, SENTINEL);
    }

    /**
     * Counts a transfer to the host just made, and checks the sentinel that the op probed (every
     * op whose result comes to the host does).
     */
    private void fetched(long bytes) {
        downloads++;
        downloadedBytes += bytes;
        k.get(k.probe);
        if (k.probe[0] != SENTINEL) throw lostArena();
    }

    private IllegalStateException lostArena() {
        return new IllegalStateException("opencl: the device lost its tensors on " + name + ": the JVM moved the arena array"
                + " between launches and Aparapi re-created the device buffer from the stale host copy");
    }

    private synchronized void upload(Region r, float[] from) {
        if (r.length == 0) return;
        if (from == null) {
            fill(r.offset, r.length, 0f);
            return;
        }
        k.stage = from;
        k.put(from);
        k.args[OFF] = r.offset;
        k.args[3] = r.length;
        launch(OP_UPLOAD, range1d(r.length));
        uploads++;
        uploadedBytes += 4L * r.length;
    }

    private synchronized void download(Region r, float[] into) {
        if (r.length == 0) return;
        k.stage = into;
        k.args[OFF] = r.offset;
        k.args[3] = r.length;
        launch(OP_DOWNLOAD, range1d(r.length));
        k.get(into);
        fetched(4L * r.length);
    }

    private void fill(int offset, int n, float value) {
        k.args[OFF] = offset;
        k.args[3] = n;
        k.fargs[0] = value;
        launch(OP_FILL, range1d(n));
    }

    // ---- launching -----------------------------------------------------------------------------

    /**
     * Sets the op's operand offsets (slot i := offsets[i], unused slots NONE). Call it once every
     * operand is resolved and before any other argument: resolving may upload or grow the arena,
     * which launches ops of its own.
     */
    private void slots(int... offsets) {
        for (int i = 0; i < 8; i++) k.args[OFF + i] = i < offsets.length ? offsets[i] : NONE;
        resolving.clear();
    }

    /** Runs {@code op} on the arguments set, checks where it ran, and marks {@code outputs} as newer on the device. */
    private void launch(int op, Range range, Tensor... outputs) {
        k.args[0] = op;
        k.put(k.args).put(k.fargs).put(k.dargs);
        executeOnDevice(k, range, OP_NAMES[op], name);
        launches++;
        for (Tensor t : outputs) if (t != null) t.storage().deviceWritten();
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

    private Range range1d(long n) {
        return device.createRange(roundUp((int) Math.max(n, 1), GROUP), GROUP);
    }

    private static int roundUp(int n, int to) {
        return (n + to - 1) / to * to;
    }

    private static int flag(boolean b) {
        return b ? 1 : 0;
    }

    private static int checkRank(int[] shape) {
        if (shape.length > MAX_RANK)
            throw new IllegalArgumentException("opencl: rank " + shape.length + " > " + MAX_RANK + " for shape " + Shapes.str(shape));
        return shape.length;
    }

    /** The device would read or write other tensors' values where the CPU throws: check the box's extent. */
    private static void checkBox(String what, Tensor t, int off, int[] box, int[] strides) {
        long lo = off, hi = off;
        for (int d = 0; d < box.length; d++) {
            long reach = (long) (box[d] - 1) * strides[d];
            if (reach < 0) lo += reach;
            else hi += reach;
        }
        if (lo < 0 || hi >= t.size())
            throw new IndexOutOfBoundsException("opencl copy: the " + what + " box " + Shapes.str(box) + " at offset " + off
                    + " with strides " + Arrays.toString(strides) + " reaches outside a tensor of " + t.size() + " values");
    }

    private static void checkRows(String what, int[] rows, int width, Tensor t) {
        for (int r : rows)
            if (r < 0 || (long) (r + 1) * width > t.size())
                throw new IndexOutOfBoundsException("opencl copyRows: " + what + " row " + r + " of width " + width
                        + " outside a tensor of " + t.size() + " values");
    }

    // ---- the kernels ---------------------------------------------------------------------------

    @Override
    public synchronized void matmul(int batch, boolean transA, boolean transB, int m, int n, int kk,
                                    Tensor a, int aOff, int lda, int aBatch,
                                    Tensor b, int bOff, int ldb, int bBatch,
                                    Tensor c, int cOff, int ldc, int cBatch, boolean accumulate) {
        if (batch == 0 || m == 0 || n == 0) return;
        boolean whole = !accumulate && cOff == 0 && ldc == n && (batch == 1 || cBatch == m * n) && (long) batch * m * n == c.size();
        slots(in(a), in(b), out(c, whole));
        int mPad = roundUp(m, BM);
        int[] p = {batch, flag(transA), flag(transB), m, n, kk, aOff, lda, aBatch, bOff, ldb, bBatch,
                cOff, ldc, cBatch, flag(accumulate), mPad};
        System.arraycopy(p, 0, k.args, 1, p.length);
        // One 16x16 work-group per 64x64 block of each C_z.
        launch(OP_SGEMM, device.createRange2D(roundUp(n, BM) / 4, mPad / 4 * batch, TS, TS), c);
    }

    @Override
    public synchronized void binary(Binary op, int[] outShape, Tensor a, int[] aShape, Tensor b, int[] bShape, Tensor out) {
        int n = (int) Shapes.size(outShape);
        if (n == 0) return;
        int rank = checkRank(outShape);
        int[] as = Shapes.broadcastStrides(aShape, outShape), bs = Shapes.broadcastStrides(bShape, outShape);
        slots(in(a), in(b), out(out, n == out.size()));
        k.args[1] = op.ordinal();
        k.args[2] = rank;
        k.args[3] = n;
        for (int d = 0; d < rank; d++) {
            k.args[8 + d] = outShape[d];
            k.args[16 + d] = as[d];
            k.args[24 + d] = bs[d];
        }
        launch(OP_BINARY, range1d(n), out);
    }

    @Override
    public synchronized void reduceInto(Tensor src, int[] srcShape, Tensor dst, int[] dstShape) {
        int n = (int) Shapes.size(dstShape);
        if (n == 0 || Shapes.size(srcShape) == 0) return;
        int rank = checkRank(srcShape);
        int[] dstPadded = new int[rank];
        for (int d = 0; d < rank; d++) {
            int from = d - (rank - dstShape.length);
            dstPadded[d] = from < 0 ? 1 : dstShape[from];
        }
        slots(in(src), NONE, in(dst));
        int count = 1, stride = 1;
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
        launch(OP_REDUCE, range1d(n), dst);
    }

    @Override
    public synchronized void axpy(float alpha, Tensor src, Tensor dst, int n) {
        if (n == 0) return;
        slots(in(src), NONE, in(dst));
        k.args[3] = n;
        k.fargs[0] = alpha;
        launch(OP_AXPY, range1d(n), dst);
    }

    @Override
    public synchronized void copy(int[] box, Tensor src, int srcOff, int[] srcStrides, Tensor dst, int dstOff, int[] dstStrides, boolean accumulate) {
        long n = Shapes.size(box);
        if (n == 0) return;
        int rank = checkRank(box);
        checkBox("source", src, srcOff, box, srcStrides);
        checkBox("destination", dst, dstOff, box, dstStrides);
        // Destinations are distinct and inside dst: a box as large as dst covers all of it.
        slots(in(src) + srcOff, NONE, out(dst, !accumulate && n == dst.size()) + dstOff);
        k.args[1] = flag(accumulate);
        k.args[2] = rank;
        k.args[3] = (int) n;
        for (int d = 0; d < rank; d++) {
            k.args[8 + d] = box[d];
            k.args[16 + d] = srcStrides[d];
            k.args[24 + d] = dstStrides[d];
        }
        launch(OP_COPY, range1d(n), dst);
    }

    @Override
    public synchronized void copyRows(Tensor src, int[] srcRows, Tensor dst, int[] dstRows, int width, boolean accumulate) {
        int count = srcRows.length;
        if (dstRows.length != count)
            throw new IllegalArgumentException("opencl copyRows: " + count + " source rows but " + dstRows.length + " destination rows");
        if (count == 0 || width == 0) return;
        checkRows("source", srcRows, width, src);
        checkRows("destination", dstRows, width, dst);
        boolean distinct = distinct(dstRows);
        slots(in(src), NONE, out(dst, !accumulate && distinct && (long) count * width == dst.size()));
        int[] rows = Arrays.copyOf(srcRows, 2 * count);
        System.arraycopy(dstRows, 0, rows, count, count);
        k.rows = rows;
        k.put(rows);
        k.args[1] = flag(accumulate);
        k.args[3] = count;
        k.args[4] = width;
        // Distinct destination rows: every element is its own work item. Repeated ones must add
        // (or overwrite) in row order, as the oracle: one work item per column walks the rows.
        if (distinct) launch(OP_COPY_ROWS, range1d((long) count * width), dst);
        else launch(OP_COPY_ROWS_IN_ORDER, range1d(width), dst);
    }

    private static boolean distinct(int[] rows) {
        BitSet seen = new BitSet();
        for (int r : rows) {
            if (seen.get(r)) return false;
            seen.set(r);
        }
        return true;
    }

    @Override
    public synchronized void geluForward(Tensor x, Tensor out, int n) {
        if (n == 0) return;
        slots(in(x), NONE, out(out, n == out.size()));
        k.args[3] = n;
        launch(OP_GELU, range1d(n), out);
    }

    @Override
    public synchronized void geluBackward(Tensor dout, Tensor x, Tensor dx, int n, boolean accumulate) {
        if (n == 0) return;
        slots(in(dout), in(x), out(dx, !accumulate && n == dx.size()));
        k.args[3] = n;
        k.args[4] = flag(accumulate);
        launch(OP_GELU_BACK, range1d(n), dx);
    }

    @Override
    public synchronized void softmaxForward(Tensor x, Tensor out, int rows, int d, float scale) {
        if (rows == 0 || d == 0) return;
        slots(in(x), NONE, out(out, (long) rows * d == out.size()));
        k.fargs[0] = scale;
        rowwise(OP_SOFTMAX, rows, d, out);
    }

    @Override
    public synchronized void softmaxBackward(Tensor dout, Tensor y, Tensor dx, int rows, int d, float scale, boolean accumulate) {
        if (rows == 0 || d == 0) return;
        slots(in(dout), in(y), out(dx, !accumulate && (long) rows * d == dx.size()));
        k.args[5] = flag(accumulate);
        k.fargs[0] = scale;
        rowwise(OP_SOFTMAX_BACK, rows, d, dx);
    }

    private void rowwise(int op, int rows, int d, Tensor... outputs) {
        k.args[3] = rows;
        k.args[4] = d;
        launch(op, range1d(rows), outputs);
    }

    @Override
    public synchronized void layerNormForward(Tensor x, Tensor w, Tensor b, Tensor out, Tensor mean, Tensor rstd,
                                              int rows, int d, float eps) {
        if (rows == 0) return;
        slots(in(x), in(w), out(out, (long) rows * d == out.size()), in(b),
                out(mean, mean != null && rows == mean.size()), out(rstd, rstd != null && rows == rstd.size()));
        k.args[5] = flag(mean != null);
        k.args[6] = flag(rstd != null);
        k.fargs[0] = eps;
        rowwise(OP_LAYERNORM, rows, d, out, mean, rstd);
    }

    @Override
    public synchronized void layerNormBackward(Tensor dout, Tensor x, Tensor w, Tensor mean, Tensor rstd,
                                               Tensor dx, Tensor dw, Tensor db, int rows, int d, boolean accumulateDx) {
        if (rows == 0) return;
        if (dx != null) {
            slots(in(dout), in(x), out(dx, !accumulateDx && (long) rows * d == dx.size()), in(w), in(mean), in(rstd));
            k.args[5] = flag(accumulateDx);
            rowwise(OP_LAYERNORM_BACK_X, rows, d, dx);
        }
        if (dw != null || db != null) {
            slots(in(dout), in(x), NONE, NONE, in(mean), in(rstd), in(dw), in(db));
            k.args[3] = rows;
            k.args[4] = d;
            k.args[5] = flag(dw != null);
            k.args[6] = flag(db != null);
            launch(OP_LAYERNORM_BACK_WB, range1d(d), dw, db);
        }
    }

    @Override
    public synchronized double maskedSquaredError(Tensor pred, Tensor target, Tensor weight, int tokens, int p) {
        if (tokens == 0) return 0;
        slots(in(pred), in(target), in(weight));
        if (k.terms.length < tokens) k.terms = new double[tokens];
        k.args[3] = tokens;
        k.args[4] = p;
        launch(OP_MSE_TERMS, range1d(tokens));
        launch(OP_MSE_SUM, range1d(1));
        k.get(k.total);
        fetched(Double.BYTES);
        return k.total[0];
    }

    @Override
    public synchronized void maskedSquaredErrorBackward(double scale, Tensor pred, Tensor target, Tensor weight, Tensor dpred, int tokens, int p) {
        if (tokens == 0 || p == 0) return;
        slots(in(pred), in(target), in(weight), in(dpred));
        k.args[3] = tokens;
        k.args[4] = p;
        k.dargs[0] = scale;
        launch(OP_MSE_BACK, range1d((long) tokens * p), dpred);
    }

    /** Chunks of SUM_CHUNK values, each summed in order on the device; the chunks' sums added in order here. */
    @Override
    public synchronized double sumOfSquares(Tensor x) {
        int n = x.size();
        if (n == 0) return 0;
        int chunks = (n + SUM_CHUNK - 1) / SUM_CHUNK;
        slots(in(x));
        if (k.partial.length < chunks) k.partial = new double[chunks];
        k.args[3] = n;
        k.args[4] = chunks;
        k.args[5] = SUM_CHUNK;
        launch(OP_SUM_SQUARES, range1d(chunks));
        k.get(k.partial);
        fetched((long) Double.BYTES * k.partial.length);
        double s = 0;
        for (int c = 0; c < chunks; c++) s += k.partial[c];
        return s;
    }

    @Override
    public synchronized void adamw(Tensor w, Tensor g, Tensor m, Tensor v, int n, float shrink, float b1, float a1,
                                   float b2, float a2, float stepSize, float bc2, float eps) {
        if (n == 0) return;
        slots(in(w), in(g), in(m), in(v));
        k.args[3] = n;
        float[] f = {shrink, b1, a1, b2, a2, stepSize, bc2, eps};
        System.arraycopy(f, 0, k.fargs, 0, f.length);
        launch(OP_ADAMW, range1d(n), w, m, v);
    }

    /** Aparapi ran a kernel somewhere other than the OpenCL device that was asked for. */
    public static final class FallbackException extends IllegalStateException {
        FallbackException(String message) {
            super(message);
        }
    }
}
