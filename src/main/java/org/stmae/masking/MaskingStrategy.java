package org.stmae.masking;

import java.util.Random;
import org.stmae.tensor.Tensor;

/**
 * How tokens are chosen for removal. Every strategy keeps the same number of tokens in every
 * sample (so a batch stays rectangular), and can be driven by a seeded generator; the
 * noise-driven ones (random, tube, frame) also take given noise, which is how parity with
 * PyTorch is tested.
 */
public interface MaskingStrategy {
    /** Visible tokens per sample. */
    int lenKeep();

    /** The noise shape {@link #fromNoise} takes for a batch of {@code n}. */
    int[] noiseShape(int n);

    /** The deterministic mask for given uniform [0,1) noise. */
    Mask fromNoise(Tensor noise);

    /** A mask drawn from {@code rng}: by default uniform noise fed to {@link #fromNoise}. */
    default Mask sample(Random rng, int n) {
        Tensor noise = Tensor.zeros(noiseShape(n));
        for (int i = 0; i < noise.size(); i++) noise.data()[i] = rng.nextFloat();
        return fromNoise(noise);
    }

    /** Checks noise against the expected shape with a message naming the strategy. */
    default void checkNoise(Tensor noise, String name) {
        int n = noise.dim() > 0 ? noise.size(0) : 0;
        if (!java.util.Arrays.equals(noise.shape(), noiseShape(n)))
            throw new IllegalArgumentException(name + " masking: noise shape " + java.util.Arrays.toString(noise.shape())
                    + ", expected " + java.util.Arrays.toString(noiseShape(Math.max(n, 1))));
    }
}
