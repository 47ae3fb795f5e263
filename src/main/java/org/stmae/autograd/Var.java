package org.stmae.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import org.stmae.tensor.Kernels;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * A node of the recorded graph: a value, its gradient, and how to send that gradient to the
 * inputs. Ops create nodes with {@link #of}; {@link #backward()} walks the graph once.
 *
 * <p>Gradients always accumulate (+=), so a value used twice gets both contributions. The walk
 * is an explicit-stack topological sort, so graph depth is limited by memory, not by the Java
 * stack. After a backward pass the graph is released: intermediate gradients are dropped and a
 * second {@code backward()} on the same graph is an error (re-run the forward pass instead).
 */
public class Var {
    /** Sends this node's gradient to its inputs (accumulating into their gradients). */
    @FunctionalInterface
    public interface Backward {
        void apply(Tensor grad);
    }

    public final Tensor value;
    private Tensor grad;
    private final boolean requiresGrad;
    private Var[] inputs;
    private Backward backward;
    private final String op;
    private boolean consumed;

    protected Var(Tensor value, boolean requiresGrad, String op, Var[] inputs, Backward backward) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    /** A constant: no gradient flows into it. */
    public static Var constant(Tensor value) {
        return new Var(value, false, "const", new Var[0], null);
    }

    /** A leaf that collects a gradient (e.g. an input whose gradient a test wants). */
    public static Var leaf(Tensor value) {
        return new Var(value, true, "leaf", new Var[0], null);
    }

    /**
     * The result of an op. Records the edge to {@code inputs} only when gradients are enabled and
     * some input needs one; otherwise the result is a constant and {@code backward} is dropped.
     */
    public static Var of(Tensor value, String op, Backward backward, Var... inputs) {
        if (NoGrad.active()) return new Var(value, false, op, new Var[0], null);
        for (Var in : inputs)
            if (in.requiresGrad) return new Var(value, true, op, inputs, backward);
        return new Var(value, false, op, new Var[0], null);
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    public String op() {
        return op;
    }

    public int[] shape() {
        return value.shape();
    }

    public int size(int axis) {
        return value.size(axis);
    }

    public int dim() {
        return value.dim();
    }

    /** The accumulated gradient, or null if none has arrived. */
    public Tensor grad() {
        return grad;
    }

    /** Whether a backward op should compute a gradient for this input at all. */
    boolean needsGrad() {
        return requiresGrad;
    }

    /** The gradient buffer, created as zeros on first use; backward kernels accumulate into it. */
    Tensor gradBuffer() {
        if (grad == null) grad = Tensor.zeros(value.shape());
        return grad;
    }

    /** Whether a gradient has arrived: a kernel writing into {@link #gradTarget} must then add, not overwrite. */
    boolean hasGrad() {
        return grad != null;
    }

    /**
     * The gradient buffer for a kernel that can overwrite or add: the existing one if {@link
     * #hasGrad} (add to it), else a new one with unspecified values that the kernel overwrites
     * whole (a recycled array needs no zero-fill and the kernel no read of zeros).
     */
    Tensor gradTarget() {
        if (grad == null) grad = Tensor.empty(value.shape());
        return grad;
    }

    /** grad += g, where g has this node's size (a copy of g the first time). */
    void accumulate(Tensor g) {
        if (grad == null) {
            grad = Tensor.empty(value.shape());
            int[] box = {g.size()}, unit = {1};
            Kernels.copy(box, g, 0, unit, grad, 0, unit, false);
        } else {
            Kernels.axpy(1f, g, grad, g.size());
        }
    }

    /**
     * grad += g, where the caller hands g over: nothing reads or writes it afterwards (a fresh
     * tensor, or a view of the caller's own gradient, which the walk drops once the caller's
     * backward has run). The first gradient is then taken as it is, not copied into zeros.
     */
    void accumulateOwned(Tensor g) {
        if (grad == null) grad = g;
        else Kernels.axpy(1f, g, grad, g.size());
    }

    public void zeroGrad() {
        grad = null;
    }

    /** A constant holding the same value: gradients stop here. */
    public Var detach() {
        return constant(value);
    }

    /** Backpropagates from this scalar: d this / d x lands in x.grad() for every leaf x. */
    public void backward() {
        if (value.size() != 1)
            throw new IllegalStateException("backward: needs a scalar, got shape " + Shapes.str(value.shape()));
        backward(Tensor.full(1f, value.shape()));
    }

    /** Backpropagates a given output gradient (same shape as this value). */
    public void backward(Tensor seed) {
        if (consumed) throw new IllegalStateException("backward: this graph was already backpropagated; run the forward pass again");
        if (!requiresGrad) throw new IllegalStateException("backward: the value does not depend on anything that requires a gradient");
        if (!Arrays.equals(seed.shape(), value.shape()))
            throw new IllegalArgumentException("backward: seed shape " + Shapes.str(seed.shape()) + " != value shape " + Shapes.str(value.shape()));
        List<Var> order = topologicalOrder();
        accumulate(seed);
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            if (v.backward != null && v.grad != null) v.backward.apply(v.grad);
            if (v.backward != null) {
                // Interior node: its gradient and edges are no longer needed; free them now.
                v.grad = null;
                v.backward = null;
                v.inputs = new Var[0];
                v.consumed = true;
            }
        }
    }

    /** Nodes reachable from this one, inputs before users (iterative DFS, no recursion). */
    private List<Var> topologicalOrder() {
        List<Var> order = new ArrayList<>();
        IdentityHashMap<Var, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Var> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(this);
        next.push(0);
        seen.put(this, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Var v = stack.peek();
            int i = next.pop();
            if (i < v.inputs.length) {
                next.push(i + 1);
                Var in = v.inputs[i];
                if (in.requiresGrad && seen.put(in, Boolean.TRUE) == null) {
                    stack.push(in);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return op + Shapes.str(value.shape());
    }
}
