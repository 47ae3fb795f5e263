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
 * 757 MB in arrays of 4096 floats or more) that are all dead once the optimizer has run; as
 * fresh arrays they cost G1 a collection every few steps.
 *
 * <pre>
 *   Workspace ws = new Workspace();
 *   for (...) try (Workspace.Scope s = ws.open()) { forward; backward; optimizer step; }
 * </pre>
 *
 * Every tensor created by {@link Tensor#zeros} or {@link Tensor#empty} on the opening thread
 * while the scope is open (at least {@link #MIN_FLOATS} elements, up to the workspace's cap) takes
 * its array from this workspace when first used: zero-filled for {@code zeros}, as a fresh one
 * would be, so results are bit for bit those without it. Closing the scope takes all of them
 * back: such a tensor must not outlive its step (parameters, optimizer moments and data made
 * outside the scope are not affected). A tensor used after that throws instead of reading another
 * step's values. Other threads (video decoding) never take from it.
 */
public final class Workspace {
    /** Smaller arrays are cheap for the JVM (thread-local allocation); pooling them only costs bookkeeping. */
    static final int MIN_FLOATS = 4096;

    private static final ThreadLocal<Workspace> CURRENT = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private final List<Storage> lent = new ArrayList<>();
    private final long maxFloats;
    private long lentFloats, freeFloats;
    private Thread owner;
    private boolean open;

    /**
     * A workspace that lends at most a quarter of the heap per step: the arrays a step has
     * finished with stay out of the collector's reach until the step ends, so a step larger than
     * that (bench-S-dense: 3.1 GB against a 4 GB heap) takes the rest from the collector as before.
     */
    public Workspace() {
        this(Runtime.getRuntime().maxMemory() / 4 / Float.BYTES);
    }

    /** A workspace that lends at most {@code maxFloats} floats per scope. */
    public Workspace(long maxFloats) {
        this.maxFloats = maxFloats;
    }

    /** Makes this workspace the calling thread's until the scope closes. */
    public Scope open() {
        if (CURRENT.get() != null) throw new IllegalStateException("Workspace.open: a workspace scope is already open on this thread");
        owner = Thread.currentThread();
        CURRENT.set(this);
        synchronized (this) {
            open = true;
        }
        return new Scope();
    }

    /** The open scope's workspace for a storage made on this thread now, or null. */
    static Workspace current() {
        return CURRENT.get();
    }

    /**
     * An array of {@code length} for {@code s}: recycled where one is free (zero-filled if
     * {@code zeroed}: tensors made by {@code zeros}, not {@code empty}), a plain new one past the cap.
     */
    synchronized float[] take(Storage s, int length, boolean zeroed) {
        if (!open) return new float[length]; // made in a scope, first used after it closed: never lent
        ArrayDeque<float[]> q = free.get(length);
        float[] a = q == null ? null : q.poll();
        if (a != null) {
            if (zeroed) Arrays.fill(a, 0f);
            freeFloats -= length;
        } else if (lentFloats + freeFloats + length > maxFloats) {
            return new float[length]; // the collector's, as without a workspace
        } else {
            a = new float[length];
        }
        lent.add(s);
        lentFloats += length;
        return a;
    }

    /** Floats held for reuse (between steps: about one step's worth). */
    public synchronized long pooledFloats() {
        return freeFloats;
    }

    /** Takes back this scope's arrays; those this scope did not reuse go to the collector (shapes changed). */
    private synchronized void recycle() {
        free.clear();
        freeFloats = 0;
        for (Storage s : lent) {
            float[] a = s.release();
            if (a == null) continue;
            free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
            freeFloats += a.length;
        }
        lent.clear();
        lentFloats = 0;
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
            synchronized (Workspace.this) {
                open = false;
            }
            recycle();
        }
    }
}
