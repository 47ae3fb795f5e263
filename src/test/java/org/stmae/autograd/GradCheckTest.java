package org.stmae.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Tensor;

/**
 * Every op's backward pass against central finite differences, on random small shapes.
 *
 * <p>The check projects the op's output on a random tensor r, L = sum(r * out), so one backward
 * pass (seeded with r) gives dL/dx for every input element. The finite difference
 * (L(x + h e_i) - L(x - h e_i)) / 2h is formed in double precision (the projection and the
 * quotient); the op itself runs in float32, which limits how small h can be: with h = 1e-2 the
 * float rounding of L contributes ~1e-5 relative and the O(h^2) truncation ~1e-4, far below the
 * O(1) error of a wrong derivative. Tolerance per element: |analytic - numeric| <=
 * 2e-3 * max(1, max|numeric|) + 1e-2 * |numeric|.
 */
class GradCheckTest {
    record Case(String name, Function<Random, Tensor[]> inputs, Function<Var[], Var> op) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = new ArrayList<>();

    static Tensor randn(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextGaussian();
        return t;
    }

    /** Values away from zero (divisors). */
    static Tensor awayFromZero(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) ((0.5 + 1.5 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
        return t;
    }

    static int dim(Random r, int max) {
        return 1 + r.nextInt(max);
    }

    static IntTensor randomIndex(Random r, int len, int... shape) {
        int n = 1;
        for (int s : shape) n *= s;
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(len);
        return new IntTensor(v, shape);
    }

    static void add(String name, Function<Random, Tensor[]> inputs, Function<Var[], Var> op) {
        CASES.add(new Case(name, inputs, op));
    }

    static {
        // Broadcasting binary ops: b is broadcast along a random subset of a's axes.
        for (String opName : new String[] {"add", "sub", "mul", "div"}) {
            add(opName + "-broadcast", r -> {
                int[] s = {dim(r, 3), dim(r, 4), dim(r, 5)};
                int[] sb = s.clone();
                for (int i = 0; i < 3; i++) if (r.nextBoolean()) sb[i] = 1;
                int[] sbShort = r.nextBoolean() ? sb : java.util.Arrays.copyOfRange(sb, 1, 3);
                return new Tensor[] {randn(r, s), opName.equals("div") ? awayFromZero(r, sbShort) : randn(r, sbShort)};
            }, v -> switch (opName) {
                case "add" -> Elementwise.add(v[0], v[1]);
                case "sub" -> Elementwise.sub(v[1], v[0]);
                case "mul" -> Elementwise.mul(v[1], v[0]);
                default -> Elementwise.div(v[0], v[1]);
            });
        }
        add("scale", r -> new Tensor[] {randn(r, dim(r, 4), dim(r, 6))}, v -> Elementwise.scale(v[0], 0.37f));
        add("add-same-input-twice", r -> new Tensor[] {randn(r, dim(r, 4), dim(r, 6))}, v -> Elementwise.mul(v[0], v[0]));
        add("matmul", r -> {
            int m = dim(r, 5), k = dim(r, 7), n = dim(r, 6);
            return new Tensor[] {randn(r, m, k), randn(r, k, n)};
        }, v -> MatMul.matmul(v[0], v[1], false, false));
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            add("matmul-batched" + (ta ? "-aT" : "") + (tb ? "-bT" : ""), r -> {
                int b = dim(r, 3), h = dim(r, 2), m = dim(r, 5), k = dim(r, 6), n = dim(r, 5);
                return new Tensor[] {randn(r, b, h, ta ? k : m, ta ? m : k), randn(r, b, h, tb ? n : k, tb ? k : n)};
            }, v -> MatMul.matmul(v[0], v[1], ta, tb));
            add("matmul-shared-b" + (ta ? "-aT" : "") + (tb ? "-bT" : ""), r -> {
                int b = 1 + dim(r, 3), m = dim(r, 4), k = dim(r, 5), n = dim(r, 4);
                return new Tensor[] {randn(r, b, ta ? k : m, ta ? m : k), randn(r, tb ? n : k, tb ? k : n)};
            }, v -> MatMul.matmul(v[0], v[1], ta, tb));
            add("matmul-shared-a" + (ta ? "-aT" : "") + (tb ? "-bT" : ""), r -> {
                int b = 1 + dim(r, 3), m = dim(r, 4), k = dim(r, 5), n = dim(r, 4);
                return new Tensor[] {randn(r, ta ? k : m, ta ? m : k), randn(r, b, tb ? n : k, tb ? k : n)};
            }, v -> MatMul.matmul(v[0], v[1], ta, tb));
        }
        add("linear", r -> {
            int in = dim(r, 7), out = dim(r, 6);
            return new Tensor[] {randn(r, dim(r, 3), dim(r, 4), in), randn(r, out, in), randn(r, out)};
        }, v -> MatMul.linear(v[0], v[1], v[2]));
        add("linear-nobias", r -> {
            int in = dim(r, 7), out = dim(r, 6);
            return new Tensor[] {randn(r, dim(r, 5), in), randn(r, out, in)};
        }, v -> MatMul.linear(v[0], v[1], null));
        add("sum-axes", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 5))}, v -> Reductions.sum(v[0], false, 0, 2));
        add("sum-keepdim", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 5))}, v -> Reductions.sum(v[0], true, 1));
        add("mean-last", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 5))}, v -> Reductions.mean(v[0], false, -1));
        add("mean-all", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4))}, v -> Reductions.mean(v[0], true, 0, 1));
        add("reshape", r -> new Tensor[] {randn(r, 2, dim(r, 3), 6)}, v -> Elementwise.mul(ShapeOps.reshape(v[0], -1, 3), ShapeOps.reshape(v[0], -1, 3)));
        add("permute", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 3), dim(r, 5))}, v -> ShapeOps.permute(v[0], 0, 2, 1, 3));
        add("permute-last", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 5))}, v -> ShapeOps.permute(v[0], 2, 0, 1));
        add("transpose", r -> new Tensor[] {randn(r, dim(r, 4), dim(r, 5))}, v -> ShapeOps.transpose(v[0], 0, 1));
        add("concat", r -> {
            int a = dim(r, 3), c = dim(r, 4);
            return new Tensor[] {randn(r, a, dim(r, 3), c), randn(r, a, dim(r, 3), c), randn(r, a, dim(r, 2), c)};
        }, v -> ShapeOps.concat(1, v[0], v[1], v[2]));
        add("narrow", r -> new Tensor[] {randn(r, dim(r, 3), 4 + dim(r, 3), dim(r, 4))}, v -> ShapeOps.narrow(v[0], 1, 1, 3));
        add("layerNorm", r -> {
            int d = 1 + dim(r, 8);
            Tensor w = randn(r, d);
            return new Tensor[] {randn(r, dim(r, 3), dim(r, 4), d), w, randn(r, d)};
        }, v -> LayerNorm.layerNorm(v[0], v[1], v[2], 1e-5f));
        add("softmax", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 7))}, v -> Softmax.softmax(v[0]));
        add("softmax scaled", r -> new Tensor[] {randn(r, dim(r, 3), dim(r, 4), dim(r, 7))}, v -> Softmax.softmax(v[0], 0.37f));
        add("gelu", r -> new Tensor[] {randn(r, dim(r, 4), dim(r, 9))}, v -> Gelu.gelu(v[0]));
        // One input into three backward kernels: the first gradient to arrive is written over a
        // fresh buffer, the later ones are added to it.
        add("gelu + softmax + layerNorm of one input", r -> {
            int d = 1 + dim(r, 8);
            return new Tensor[] {randn(r, dim(r, 3), d), randn(r, d), randn(r, d)};
        }, v -> Elementwise.add(Elementwise.add(Gelu.gelu(v[0]), Softmax.softmax(v[0], 0.5f)), LayerNorm.layerNorm(v[0], v[1], v[2], 1e-5f)));
        add("maskedMse", r -> {
            int n = dim(r, 3), l = 1 + dim(r, 6), p = dim(r, 5);
            Tensor mask = Tensor.zeros(n, l);
            for (int i = 0; i < mask.size(); i++) mask.data()[i] = r.nextBoolean() ? 1 : 0;
            mask.data()[0] = 1;
            return new Tensor[] {randn(r, n, l, p), randn(r, n, l, p), mask};
        }, v -> MaskedMse.maskedMse(v[0], v[1].value, v[2].value));
        add("softCrossEntropy", r -> {
            int n = dim(r, 4), k = 1 + dim(r, 7);
            Tensor t = Tensor.zeros(n, k);  // soft targets: random non-negative rows, not all summing to 1
            for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextDouble();
            return new Tensor[] {Elementwise.scaled(randn(r, n, k), 3f), t};
        }, v -> SoftCrossEntropy.softCrossEntropy(v[0], v[1].value));
    }

    // gather/scatter need an index drawn with the shapes, so they close over a per-seed index.
    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Case c : CASES) for (long seed = 1; seed <= 4; seed++) out.add(Arguments.of(c, seed));
        for (long seed = 1; seed <= 4; seed++) {
            Random r = new Random(seed * 7919);
            int n = dim(r, 3), len = 1 + dim(r, 6), k = dim(r, 8), d = dim(r, 4);
            IntTensor idx = randomIndex(r, len, n, k);
            out.add(Arguments.of(new Case("gather", rr -> new Tensor[] {randn(rr, n, len, d)}, v -> IndexOps.gather(v[0], 1, idx)), seed));
            out.add(Arguments.of(new Case("scatter", rr -> new Tensor[] {randn(rr, n, k, d)}, v -> IndexOps.scatter(v[0], 1, idx, len)), seed));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Case c, long seed) {
        Random r = new Random(seed);
        Tensor[] in = c.inputs.apply(r);
        Var[] vars = new Var[in.length];
        for (int i = 0; i < in.length; i++) vars[i] = Var.leaf(in[i].copy());
        Var out = c.op.apply(vars);
        Tensor proj = randn(r, out.shape());
        out.backward(proj);

        float h = 1e-2f;
        for (int i = 0; i < in.length; i++) {
            if ((c.name.equals("maskedMse") || c.name.equals("softCrossEntropy")) && i > 0) continue; // targets and masks are constants
            Tensor analytic = vars[i].grad();
            double[] numeric = new double[in[i].size()];
            double maxNum = 0;
            for (int e = 0; e < numeric.length; e++) {
                float x0 = in[i].data()[e];
                in[i].data()[e] = x0 + h;
                double plus = project(c, in, proj);
                in[i].data()[e] = x0 - h;
                double minus = project(c, in, proj);
                in[i].data()[e] = x0;
                numeric[e] = (plus - minus) / (2.0 * h);
                maxNum = Math.max(maxNum, Math.abs(numeric[e]));
            }
            for (int e = 0; e < numeric.length; e++) {
                double a = analytic == null ? 0 : analytic.data()[e];
                double tol = 2e-3 * Math.max(1, maxNum) + 1e-2 * Math.abs(numeric[e]);
                int input = i, element = e;
                assertTrue(Math.abs(a - numeric[e]) <= tol, () -> String.format(
                        "%s seed %d: input %d %s element %d: analytic %.6g vs numeric %.6g (tol %.3g)",
                        c.name, seed, input, java.util.Arrays.toString(in[input].shape()), element, a, numeric[element], tol));
            }
        }
    }

    /** sum(proj * op(inputs)) in double, without recording a graph. */
    private static double project(Case c, Tensor[] in, Tensor proj) {
        try (var g = NoGrad.enter()) {
            Var[] vars = new Var[in.length];
            for (int i = 0; i < in.length; i++) vars[i] = Var.constant(in[i]);
            Tensor out = c.op.apply(vars).value;
            double s = 0;
            for (int j = 0; j < out.size(); j++) s += (double) proj.data()[j] * out.data()[j];
            return s;
        }
    }
}
