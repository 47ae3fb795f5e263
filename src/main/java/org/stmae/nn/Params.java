package org.stmae.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.stmae.autograd.Parameter;
import org.stmae.tensor.Shapes;
import org.stmae.tensor.Tensor;

/**
 * A model's parameters by state_dict name, in registration order (the order PyTorch's
 * named_parameters() gives for the same model). Layers register into it as they are built.
 */
public final class Params {
    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    public Parameter create(String name, int... shape) {
        if (byName.containsKey(name)) throw new IllegalStateException("parameter '" + name + "' registered twice");
        Parameter p = new Parameter(name, Tensor.zeros(shape));
        byName.put(name, p);
        return p;
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named '" + name + "'");
        return p;
    }

    public boolean has(String name) {
        return byName.containsKey(name);
    }

    public List<Parameter> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    public long count() {
        long n = 0;
        for (Parameter p : byName.values()) n += p.value.size();
        return n;
    }

    public void zeroGrad() {
        for (Parameter p : byName.values()) p.zeroGrad();
    }

    /**
     * Copies values into the parameter of that name; a shape mismatch is one line naming the
     * key and both shapes.
     */
    public void load(String name, Tensor value) {
        Parameter p = get(name);
        if (!p.value.sameShape(value))
            throw new IllegalArgumentException("parameter '" + name + "': expected shape " + Shapes.str(p.value.shape())
                    + ", got " + Shapes.str(value.shape()));
        System.arraycopy(value.data(), 0, p.value.data(), 0, value.size());
    }
}
