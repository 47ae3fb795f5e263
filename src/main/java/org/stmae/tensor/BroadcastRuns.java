package org.stmae.tensor;

/**
 * Walks an output shape in contiguous runs while tracking where two broadcast operands are read
 * (or written). Trailing axes along which every operand is contiguous are merged, so a same-shape
 * op is one run and a [N,L,D] + [1,L,D] op is N runs of L*D. Along a run each operand steps by 1
 * or, when broadcast, by 0.
 */
final class BroadcastRuns {
    private BroadcastRuns() {}

    @FunctionalInterface
    interface RunBody {
        void run(int outOff, int aOff, int aStep, int bOff, int bStep, int n);
    }

    /** Calls {@code body} once per run of {@code out}; a, b have the shapes given (broadcastable to out). */
    static void forEachRun(int[] out, int[] aShape, int[] bShape, RunBody body) {
        int[] as = Shapes.broadcastStrides(aShape, out), bs = Shapes.broadcastStrides(bShape, out);
        int rank = out.length;
        if (rank == 0) {
            body.run(0, 0, 0, 0, 0, 1);
            return;
        }
        // Merge trailing axes while both operands stay contiguous (or stay broadcast) across them.
        int run = out[rank - 1], aStep = as[rank - 1], bStep = bs[rank - 1];
        int first = rank - 1;
        while (first > 0) {
            int d = first - 1;
            boolean aOk = aStep == 0 ? as[d] == 0 : as[d] == run * aStep;
            boolean bOk = bStep == 0 ? bs[d] == 0 : bs[d] == run * bStep;
            if (!aOk || !bOk) break;
            run *= out[d];
            first = d;
        }
        if (run == 0) return;
        int outer = 1;
        for (int d = 0; d < first; d++) outer *= out[d];
        int[] idx = new int[first];
        int aOff = 0, bOff = 0;
        for (int o = 0; o < outer; o++) {
            body.run(o * run, aOff, aStep, bOff, bStep, run);
            // Advance the odometer over the outer axes, updating operand offsets incrementally.
            for (int d = first - 1; d >= 0; d--) {
                idx[d]++;
                aOff += as[d];
                bOff += bs[d];
                if (idx[d] < out[d]) break;
                aOff -= as[d] * out[d];
                bOff -= bs[d] * out[d];
                idx[d] = 0;
            }
        }
    }
}
