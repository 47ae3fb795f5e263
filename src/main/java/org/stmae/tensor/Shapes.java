package org.stmae.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and ops; every error names the op and the shapes. */
public final class Shapes {
    private Shapes() {}

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    public static long size(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    static int checkedSize(String op, int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(op + ": shape " + str(shape) + " has more than 2^31 elements");
        return (int) n;
    }

    /** Resolves a possibly negative axis against a rank. */
    public static int axis(int axis, int rank, String op) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException(op + ": axis " + axis + " out of range for rank " + rank);
        return a;
    }

    /** Row-major strides of a contiguous tensor. */
    public static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    static int[] inferReshape(String op, int[] from, int[] to) {
        int[] s = to.clone();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": more than one -1 in " + str(to));
                infer = i;
            } else known *= s[i];
        }
        long n = size(from);
        if (infer >= 0) {
            if (known == 0 || n % known != 0)
                throw new IllegalArgumentException(op + ": cannot reshape " + str(from) + " to " + str(to));
            s[infer] = (int) (n / known);
        }
        if (size(s) != n) throw new IllegalArgumentException(op + ": cannot reshape " + str(from) + " to " + str(to));
        return s;
    }

    /**
     * The broadcast shape of two shapes under NumPy/PyTorch rules: align on the right; each pair
     * of sizes must be equal or one of them 1.
     */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int db = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b) + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides for reading a tensor of shape {@code s} as if it had the broadcast shape {@code out}:
     * 0 along every broadcast axis.
     */
    public static int[] broadcastStrides(int[] s, int[] out) {
        int[] st = strides(s);
        int[] r = new int[out.length];
        int off = out.length - s.length;
        for (int i = 0; i < out.length; i++) {
            int j = i - off;
            r[i] = (j < 0 || s[j] == 1) ? 0 : st[j];
        }
        return r;
    }
}
