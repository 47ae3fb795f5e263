package org.stmae.opencl;

import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import com.aparapi.internal.opencl.OpenCLPlatform;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenCL platforms and devices this machine offers, numbered in the order {@code stmae devices}
 * lists them; {@code --device opencl:N} picks number N, plain {@code opencl} the first GPU (else
 * device 0).
 */
public final class OpenClDevices {
    private OpenClDevices() {}

    /** One device: its number in the listing, its platform, and Aparapi's handle. */
    public record Entry(int index, String platform, OpenCLDevice device) {
        public String describe() {
            OpenCLDevice d = device;
            return String.format(java.util.Locale.ROOT, "opencl:%d  %s  [%s]  %s, %d compute units, %d MiB global, %d KiB local, max work-group %d",
                    index, d.getName().trim(), platform, d.getType(), d.getMaxComputeUnits(),
                    d.getGlobalMemSize() >> 20, d.getLocalMemSize() >> 10, d.getMaxWorkGroupSize());
        }
    }

    /** No OpenCL at all, or no device of the number asked for: the message is the one line to print. */
    public static final class Unavailable extends RuntimeException {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** Every device of every platform; empty when there is no OpenCL runtime or no platform. */
    public static List<Entry> list() {
        List<Entry> out = new ArrayList<>();
        if (!available()) return out;
        AparapiLog.install();
        for (OpenCLPlatform p : OpenCLPlatform.getUncachedOpenCLPlatforms()) {
            String version = p.getVersion().trim();
            if (version.indexOf(',') > 0) version = version.substring(0, version.indexOf(',')); // PoCL appends its build flags
            String platform = p.getName().trim() + ", " + version;
            for (OpenCLDevice d : p.getOpenCLDevices()) out.add(new Entry(out.size(), platform, d));
        }
        return out;
    }

    /** Whether Aparapi's native library and an OpenCL loader (libOpenCL) could be loaded. */
    public static boolean available() {
        AparapiLog.install();
        try {
            return OpenCLLoader.isOpenCLAvailable();
        } catch (LinkageError e) {
            return false;
        }
    }

    /** The device for {@code opencl} (index null) or {@code opencl:N}. */
    public static Entry pick(Integer index) {
        List<Entry> all = list();
        if (all.isEmpty())
            throw new Unavailable("no OpenCL device found (" + (available() ? "no OpenCL platform is installed" :
                    "no OpenCL runtime: install an ICD loader and a driver, e.g. apt-get install ocl-icd-libopencl1 pocl-opencl-icd")
                    + "); use --device cpu");
        if (index == null) {
            for (Entry e : all) if (e.device().getType() == com.aparapi.device.Device.TYPE.GPU) return e;
            return all.get(0);
        }
        if (index < 0 || index >= all.size())
            throw new Unavailable("no OpenCL device " + index + ": this machine has " + all.size() + " (opencl:0.." + (all.size() - 1) + ", see stmae devices)");
        return all.get(index);
    }
}
