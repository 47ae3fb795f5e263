package org.stmae.video;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@link VideoReader#open} learns from the container before decoding anything.
 *
 * @param width display width in pixels (after the codec's cropping window)
 * @param height display height in pixels
 * @param frameCount number of frames in the video track (samples in the container)
 * @param fps frames per second: frameCount / track duration
 * @param codec codec and profile, e.g. {@code h264 High}
 * @param container {@code mp4} or {@code mov}
 */
public record VideoInfo(Path path, int width, int height, int frameCount, double fps, String codec, String container) {
    /** One line with everything, numbers in Locale.ROOT. */
    public String describe() {
        return String.format(Locale.ROOT, "width %d, height %d, frames %d, fps %.3f, codec %s, container %s",
                width, height, frameCount, fps, codec, container);
    }
}
