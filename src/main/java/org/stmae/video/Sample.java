package org.stmae.video;

import java.nio.file.Path;
import org.stmae.tensor.Tensor;

/**
 * One clip ready for the model.
 *
 * @param clip [C, T, H, W] float32, normalised
 * @param path the video it came from
 * @param label class index, or -1 for unlabelled (pre-training) data
 * @param frames presentation indices of the T frames
 * @param view which of the repeated samples (training) or which test view (temporal * crops + spatial)
 */
public record Sample(Tensor clip, Path path, int label, int[] frames, int view) {}
