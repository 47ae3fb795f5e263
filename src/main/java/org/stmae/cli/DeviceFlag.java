package org.stmae.cli;

import org.stmae.opencl.OpenClBackend;
import org.stmae.opencl.OpenClDevices;
import org.stmae.tensor.Backend;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.Kernels;

/**
 * {@code --device cpu|opencl[:N]}, shared by every command that computes. Opening an OpenCL device
 * installs its backend for the whole command; {@link #close()} puts the CPU back.
 */
final class DeviceFlag implements AutoCloseable {
    static final String USAGE = "  --device D        cpu (default) or opencl[:N] (N from stmae devices; plain opencl: first GPU, else device 0)";

    private final Backend previous;
    private final OpenClBackend opened;

    private DeviceFlag(Backend previous, OpenClBackend opened) {
        this.previous = previous;
        this.opened = opened;
    }

    /** Reads --device and installs the backend it names; throws with one line when it cannot. */
    static DeviceFlag open(Args args) {
        String spec = args.string("device", "cpu").trim();
        if (spec.equals("cpu")) return new DeviceFlag(Kernels.use(CpuBackend.INSTANCE), null);
        Integer index = parse(spec);
        OpenClBackend b = new OpenClBackend(OpenClDevices.pick(index));
        System.err.println("stmae: device " + b.name());
        return new DeviceFlag(Kernels.use(b), b);
    }

    /** The device index of "opencl:N", null for plain "opencl"; anything else is a usage error. */
    static Integer parse(String spec) {
        if (spec.equals("opencl")) return null;
        if (spec.startsWith("opencl:")) {
            try {
                int n = Integer.parseInt(spec.substring(7));
                if (n >= 0) return n;
            } catch (NumberFormatException e) {
                // fall through to the usage error
            }
        }
        throw new UsageException("--device must be cpu, opencl or opencl:N (N >= 0), got '" + spec + "'");
    }

    /** The backend this flag installed (the CPU one for --device cpu). */
    Backend backend() {
        return Kernels.backend();
    }

    @Override
    public void close() {
        Kernels.use(previous);
        if (opened != null) opened.close();
    }
}
