package org.stmae.tensor;

/**
 * A tensor's copy in a device's memory, owned by one {@link Backend}. {@link Storage} decides when
 * values move; the buffer only knows how.
 */
public interface DeviceBuffer {
    /** The backend whose kernels read and write this buffer. */
    Backend owner();

    /** Device copy := {@code from} (length values), or zeros when {@code from} is null. */
    void upload(float[] from);

    /** {@code into} (length values) := device copy. */
    void download(float[] into);
}
