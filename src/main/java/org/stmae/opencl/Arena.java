package org.stmae.opencl;

import java.util.Map;
import java.util.TreeMap;

/**
 * Which floats of the device arena are taken: a first-fit free list of aligned blocks that merges
 * neighbours on release. Thread-safe: regions are released by the {@link java.lang.ref.Cleaner}'s
 * thread while kernels allocate on theirs. Knows nothing of the device; {@link OpenClBackend}
 * grows the arena and tells this list.
 */
final class Arena {
    /** Block alignment in floats (64 bytes): regions start on cache-line and vector boundaries. */
    static final int ALIGN = 16;

    private final TreeMap<Integer, Integer> free = new TreeMap<>(); // start -> length
    private int capacity;
    private long used;

    Arena(int capacity) {
        extend(capacity);
    }

    static int aligned(int n) {
        return (Math.max(n, 1) + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** The start of a block of {@code size} floats (a multiple of ALIGN), or -1 when none is free. */
    synchronized int allocate(int size) {
        for (Map.Entry<Integer, Integer> e : free.entrySet()) {
            int start = e.getKey(), length = e.getValue();
            if (length < size) continue;
            free.remove(start);
            if (length > size) free.put(start + size, length - size);
            used += size;
            return start;
        }
        return -1;
    }

    synchronized void release(int start, int size) {
        used -= size;
        int end = start + size;
        Map.Entry<Integer, Integer> before = free.lowerEntry(start);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            free.remove(start);
        }
        Integer after = free.remove(end);
        if (after != null) end += after;
        free.put(start, end - start);
        notifyAll();
    }

    /** A cleaning action for the block: it must not hold on to the tensor whose death it waits for. */
    Runnable releaser(int start, int size) {
        return () -> release(start, size);
    }

    /** The arena now has {@code newCapacity} floats: the new tail is free. */
    synchronized void extend(int newCapacity) {
        int tail = newCapacity - capacity;
        if (tail <= 0) return;
        used += tail; // taken, then released: it merges with a free block just before it
        release(capacity, tail);
        capacity = newCapacity;
    }

    /** Waits up to {@code millis} for a release (the Cleaner's thread after a GC). */
    synchronized void awaitRelease(long millis) throws InterruptedException {
        wait(millis);
    }

    synchronized long used() {
        return used;
    }

    synchronized int capacity() {
        return capacity;
    }
}
