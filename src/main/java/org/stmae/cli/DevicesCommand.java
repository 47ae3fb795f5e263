package org.stmae.cli;

import java.util.List;
import org.stmae.opencl.OpenClDevices;

/** {@code stmae devices}: the OpenCL platforms and devices that {@code --device opencl:N} can pick. */
final class DevicesCommand implements Command {
    public String name() { return "devices"; }

    public String summary() { return "list the OpenCL devices --device opencl:N can use"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae devices",
                "",
                "Lists every OpenCL device of every platform (through Aparapi), numbered as --device opencl:N",
                "takes them, with its platform, type, compute units and memory. The CPU backend (--device cpu,",
                "the default) is always available. Exit code 0 when at least one OpenCL device exists, else 1.");
    }

    public int run(Args args) {
        args.finish();
        if (!args.positionals().isEmpty()) throw new UsageException("unexpected argument '" + args.positionals().get(0) + "'");
        System.out.println("cpu       Java Vector API kernels (always available)");
        if (!OpenClDevices.available()) {
            System.out.println("opencl    none: no OpenCL runtime (install an ICD loader and a driver, e.g. ocl-icd-libopencl1 pocl-opencl-icd)");
            return 1;
        }
        List<OpenClDevices.Entry> all = OpenClDevices.list();
        if (all.isEmpty()) {
            System.out.println("opencl    none: the OpenCL loader found no platform");
            return 1;
        }
        for (OpenClDevices.Entry e : all) System.out.println(e.describe());
        return 0;
    }
}
