package org.stmae.autograd;

/**
 * Inference mode: inside {@code try (var g = NoGrad.enter()) { ... }} ops record no graph, so
 * no activation is kept alive for a backward pass that will never come.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private NoGrad() {}

    public static NoGrad enter() {
        DEPTH.get()[0]++;
        return new NoGrad();
    }

    public static boolean active() {
        return DEPTH.get()[0] > 0;
    }

    @Override
    public void close() {
        DEPTH.get()[0]--;
    }
}
