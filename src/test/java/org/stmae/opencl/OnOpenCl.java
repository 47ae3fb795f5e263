package org.stmae.opencl;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class that shares one OpenCL backend across its tests (the device compiles the kernels
 * once per backend); skipped or failed as {@link TestDevice} says when there is no device.
 */
abstract class OnOpenCl {
    static OpenClBackend ocl;

    @BeforeAll
    static void open() {
        ocl = TestDevice.open();
    }

    @AfterAll
    static void close() {
        if (ocl != null) ocl.close();
        ocl = null;
    }
}
