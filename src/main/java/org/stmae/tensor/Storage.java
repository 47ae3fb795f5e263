package org.stmae.tensor;

/**
 * The values behind a tensor and all its reshapes: a host array, a copy on a device, or both.
 *
 * <p>At any time the host side, the device side, or both hold the current values; the other is
 * stale. Kernels of a device backend ({@link #forDevice}, {@link #deviceWritten}) keep values on
 * the device across ops; host code that asks for the array ({@link #host}) brings them back once.
 * A fresh storage is all zeros and allocates nothing until one side is used, so an op's output
 * that only a device writes never takes host memory. Not thread-safe: one thread uses a tensor at
 * a time (kernels parallelise inside a call).
 */
public final class Storage {
    private final int length;
    private float[] host;              // null: zeros that were never materialised on the host
    private boolean hostCurrent = true;
    private DeviceBuffer device;
    private boolean deviceCurrent;
    private Workspace workspace;       // lends the host array when it is first needed
    private boolean released;          // the workspace took the array back: this tensor is dead
    private final boolean zeroed;      // false: a kernel overwrites it whole, a recycled array need not be cleared

    Storage(float[] host, int length) {
        this(host, length, true);
    }

    Storage(float[] host, int length, boolean zeroed) {
        this.host = host;
        this.length = length;
        this.zeroed = zeroed;
        if (host == null && length >= Workspace.MIN_FLOATS) workspace = Workspace.current();
    }

    public int length() {
        return length;
    }

    /**
     * The host array for reading and writing: fetched from the device if it holds the newer
     * values. Afterwards the device copy counts as stale (the caller may write), so a device
     * kernel that reads this storage uploads it again.
     */
    public float[] host() {
        float[] h = read();
        deviceCurrent = false;
        return h;
    }

    /** The host array for reading only (writes through it may be lost): the device copy stays current. */
    public float[] read() {
        if (host == null) {
            if (released) throw new IllegalStateException("tensor used after the workspace scope of its training step closed");
            host = workspace != null ? workspace.take(this, length, zeroed) : new float[length];
        }
        if (!hostCurrent) {
            device.download(host);
            hostCurrent = true;
        }
        return host;
    }

    /** Hands the host array back to the workspace that lent it; any later use throws. */
    float[] release() {
        float[] h = host;
        host = null;
        released = true;
        device = null;
        return h;
    }

    /**
     * The device copy for a kernel of {@code owner}: {@code allocate} makes one the first time (or
     * when another backend held the last one); with {@code read}, the current values are uploaded
     * if the device copy is stale. An output that the kernel overwrites whole passes read = false.
     */
    public DeviceBuffer forDevice(Backend owner, java.util.function.IntFunction<DeviceBuffer> allocate, boolean read) {
        if (released) throw new IllegalStateException("tensor used after the workspace scope of its training step closed");
        if (device == null || device.owner() != owner) {
            if (device != null && !hostCurrent) read();
            device = allocate.apply(length);
            deviceCurrent = false;
        }
        if (read && !deviceCurrent) {
            device.upload(host);
            deviceCurrent = true;
        }
        return device;
    }

    /** A kernel wrote the device copy: the host array is stale until {@link #host} or {@link #read}. */
    public void deviceWritten() {
        deviceCurrent = true;
        hostCurrent = false;
    }

    /** Whether the newest values are on the host (tests and diagnostics). */
    public boolean onHost() {
        return hostCurrent;
    }
}
