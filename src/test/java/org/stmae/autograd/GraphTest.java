package org.stmae.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.stmae.tensor.Tensor;

/** The graph mechanics: accumulation, single use, no-grad mode, depth, error messages. */
class GraphTest {
    @Test
    void reusedValueGetsEveryContribution() {
        // micrograd's counterexample: b = a + a; c = b + b  =>  dc/da = 4.
        Var a = Var.leaf(Tensor.scalar(3f));
        Var b = Elementwise.add(a, a);
        Var c = Elementwise.add(b, b);
        c.backward();
        assertEquals(4f, a.grad().item());
    }

    @Test
    void gradientsAccumulateAcrossBackwardPassesUntilZeroed() {
        Parameter w = new Parameter("w", Tensor.scalar(2f));
        for (int i = 0; i < 3; i++) Elementwise.mul(w, w).backward();
        assertEquals(12f, w.grad().item()); // 3 passes of d(w^2)/dw = 4
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void secondBackwardOnTheSameGraphIsRefused() {
        Var a = Var.leaf(Tensor.scalar(1f));
        Var y = Elementwise.mul(Elementwise.add(a, a), a);
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("already"), e.getMessage());
    }

    @Test
    void noGradRecordsNothing() {
        Var a = Var.leaf(Tensor.scalar(1f));
        Var y;
        try (var g = NoGrad.enter()) {
            y = Elementwise.mul(a, a);
        }
        assertFalse(y.requiresGrad());
        assertTrue(Elementwise.mul(a, a).requiresGrad());
    }

    @Test
    void scaledSoftmaxHasTheBitsOfAScaleThenASoftmax() {
        // Attention relies on it: mae_st rounds (q k^T) * scale to float before its softmax.
        java.util.Random r = new java.util.Random(7);
        float scale = (float) Math.pow(64, -0.5);
        Tensor x = Tensor.zeros(6, 392), seed = Tensor.zeros(6, 392);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) (8 * r.nextGaussian());
            seed.data()[i] = (float) r.nextGaussian();
        }
        Var a = Var.leaf(x), b = Var.leaf(x.copy());
        Var fused = Softmax.softmax(a, scale), separate = Softmax.softmax(Elementwise.scale(b, scale));
        assertArrayEquals(separate.value.data(), fused.value.data(), "forward");
        fused.backward(seed);
        separate.backward(seed);
        assertArrayEquals(b.grad().data(), a.grad().data(), "backward");
    }

    @Test
    void deepGraphDoesNotOverflowTheStack() {
        Var a = Var.leaf(Tensor.scalar(1f));
        Var y = a;
        for (int i = 0; i < 200_000; i++) y = Elementwise.scale(y, 1f);
        y.backward();
        assertEquals(1f, a.grad().item());
    }

    @Test
    void shapeErrorsNameTheOpAndBothShapes() {
        Var a = Var.leaf(Tensor.zeros(2, 3)), b = Var.leaf(Tensor.zeros(4, 5));
        String m = assertThrows(IllegalArgumentException.class, () -> Elementwise.add(a, b)).getMessage();
        assertTrue(m.contains("add") && m.contains("[2, 3]") && m.contains("[4, 5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> MatMul.matmul(a, b, false, false)).getMessage();
        assertTrue(m.contains("matmul") && m.contains("[2, 3]") && m.contains("[4, 5]"), m);
        m = assertThrows(IllegalArgumentException.class, () -> ShapeOps.reshape(a, 4, 2)).getMessage();
        assertTrue(m.contains("reshape") && m.contains("[2, 3]") && m.contains("[4, 2]"), m);
    }

    @Test
    void reshapeIsAViewAndPermuteCopies() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertTrue(t.reshape(3, 2).data() == t.data());
        Var p = ShapeOps.permute(Var.constant(t), 1, 0);
        assertEquals(4f, p.value.get(0, 1));
        assertEquals(2f, p.value.get(1, 0));
    }
}
