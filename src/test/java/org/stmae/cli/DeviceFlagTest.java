package org.stmae.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.stmae.opencl.OpenClDevices;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.Kernels;

/** --device: bad values are usage errors, a device that is not there is one line and exit 1. */
class DeviceFlagTest {

    static CliRun run(String... argv) {
        return CliRun.of(argv);
    }

    @Test
    void malformedDeviceIsAUsageError() {
        for (String bad : new String[] {"gpu", "opencl:", "opencl:-1", "opencl:x", "cuda:0"}) {
            CliRun r = run("verify", "--device", bad, "testdata/fixtures/tiny-default.safetensors");
            assertEquals(2, r.rc(), bad + ": " + r.err());
            assertEquals(1, r.err().size(), "one line: " + r.err());
            assertTrue(r.err().get(0).contains("--device must be cpu, opencl or opencl:N"), r.err().get(0));
        }
    }

    @Test
    void aMissingDeviceIsOneLineAndExitOne() {
        // With OpenCL: there is no device 99. Without: there is no device at all. One line either way.
        CliRun r = run("verify", "--device", "opencl:99", "testdata/fixtures/tiny-default.safetensors");
        assertEquals(1, r.rc(), r.err().toString());
        assertEquals(1, r.err().size(), "one line: " + r.err());
        String want = OpenClDevices.list().isEmpty() ? "no OpenCL device found" : "no OpenCL device 99";
        assertTrue(r.err().get(0).startsWith("stmae verify: " + want), r.err().get(0));
        assertEquals(CpuBackend.INSTANCE, Kernels.backend(), "a failed --device must leave the CPU backend in place");
    }

    @Test
    void devicesListsWhatThereIs() {
        CliRun r = run("devices");
        assertEquals(OpenClDevices.list().isEmpty() ? 1 : 0, r.rc(), r.err().toString());
    }
}
