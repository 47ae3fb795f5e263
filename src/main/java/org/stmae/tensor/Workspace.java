package org.stmae.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Host arrays recycled from one training step to the next instead of left to the garbage
 * collector. A step allocates hundreds of megabytes of activations and gradients (bench-S:
 * ~650 MB) that are all dead once the optimizer has run; as fresh arrays they cost a zeroing
 * pass over memory the process has not touched lately, and G1 a collection every few steps.
 *
 * <pre>
 *   Workspace ws = new Workspace();
 *   for (...) try (Workspace.Scope s = ws.open()) { forward; backward; optimizer step; }
 * </pre>
 *
 * Every tensor created by {@link Tensor#zeros} on the opening thread while the scope is open
 * (at least {@link #MIN_FLOATS} elements) takes its array from this workspace, zero-filled as
 * a fresh one would be, so results are bit for bit those without it. Closing the scope returns
 * all of them: such a tensor must not outlive its step (parameters, optimizer moments and data
 * made outside the scope are not affected). A tensor used after that throws instead of reading
 * another step's values. Other threads (video decoding) never take from it.
 */
public final class Workspace {
    /** Smaller arrays are cheap for the JVM (thread-local allocation); pooling them only costs bookkeeping. */
    static final int MIN_FLOATS = 4096;

    private static final ThreadLocal<Workspace> CURRENT = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final List<Storage> lent = new ArrayList<>();
    private Thread owner;

    /** Makes this workspace the calling thread's until the scope closes. */
    public Scope open() {
        if (CURRENT.get() != null) throw new IllegalStateException("Workspace.open: a workspace scope is already open on this thread");
        owner = Thread.currentThread();
        CURRENT.set(this);
        return new Scope();
    }

    /** The open scope's workspace for a storage made on this thread now, or null. */
    static Workspace current() {
        return CURRENT.get();
    }

    /** A zeroed array of {@code length} for {@code s}, recycled where one is free. */
    synchronized float[] take(Storage s, int length) {
        ArrayDeque<float[]> q = free.get(length);
        float[] a = q == null ? null : q.poll();
        if (a == null) a = new float[length];
        else Arrays.fill(a, 0f);
        lent.add(s);
        return a;
    }

    /** Floats held for reuse (between steps: about one step's worth). */
    public synchronized long pooledFloats() {
        long n = 0;
        for (ArrayDeque<float[]> q : free.values()) for (float[] a : q) n += a.length;
        return n;
    }

    private synchronized void recycle() {
        for (Storage s : lent) {
            float[] a = s.release();
            if (a != null) free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
        }
        lent.clear();
    }

    /** The open period; closing it recycles every array lent during it. */
    public final class Scope implements AutoCloseable {
        private boolean closed;

        private Scope() {}

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (Thread.currentThread() != owner) throw new IllegalStateException("Workspace scope closed on another thread than opened it");
            CURRENT.remove();
            recycle();
        }
    }
}
