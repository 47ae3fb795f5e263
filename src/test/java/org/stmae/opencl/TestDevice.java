package org.stmae.opencl;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The OpenCL backend a test class shares (the device compiles the kernels once per backend).
 * Without a device the tests are skipped with the reason, unless STMAE_REQUIRE_OPENCL=1 (set by
 * .ci/run once it has installed PoCL), where a missing device is a failure, not a skip.
 */
final class TestDevice {
    private TestDevice() {}

    static OpenClBackend open() {
        return new OpenClBackend(device());
    }

    /** With a small arena, so that growth and the full arena come quickly. */
    static OpenClBackend open(int initialFloats, int maxFloats) {
        return new OpenClBackend(device(), initialFloats, maxFloats);
    }

    private static OpenClDevices.Entry device() {
        if (OpenClDevices.list().isEmpty()) {
            String why = "no OpenCL device on this machine (install ocl-icd-libopencl1 and pocl-opencl-icd to run these tests)";
            if ("1".equals(System.getenv("STMAE_REQUIRE_OPENCL"))) fail(why + ", and STMAE_REQUIRE_OPENCL=1");
            assumeTrue(false, why);
        }
        return OpenClDevices.pick(null);
    }
}
