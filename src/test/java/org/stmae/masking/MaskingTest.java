package org.stmae.masking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Masking invariants on seeded random grids; every message carries the seed. */
class MaskingTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12);
    }

    @ParameterizedTest(name = "ratio {0}: random keeps {1}, tube keeps {2}")
    @CsvSource({"0.5,784,784", "0.75,392,392", "0.8,313,320", "0.9,156,160", "0.95,78,80"})
    void keptCountsAt1568TokensMatchTheOfficialRoundings(double ratio, int random, int tube) {
        // The reference values of the semantics doc §14 (8 slots x 14 x 14).
        assertEquals(random, new RandomMasking(1568, ratio).lenKeep());
        assertEquals(tube, new TubeMasking(8, 196, ratio).lenKeep());
        assertEquals(random, new RandomMasking(1568, ratio).sample(new Random(1), 1).lenKeep());
        assertEquals(tube, new TubeMasking(8, 196, ratio).sample(new Random(1), 1).lenKeep());
    }

    /** A random grid and strategy per seed. */
    static MaskingStrategy strategy(long seed, int kind) {
        Random r = new Random(seed);
        int t = 1 + r.nextInt(8), h = 1 + r.nextInt(6), w = h;
        double ratio = 0.1 + 0.8 * r.nextDouble();
        MaskingStrategy s = switch (kind) {
            case 0 -> new RandomMasking(t * h * w, ratio);
            case 1 -> new TubeMasking(t, h * w, ratio);
            case 2 -> new FrameMasking(t, h * w, ratio);
            default -> new CubeMasking(t, h, w, ratio);
        };
        return s.lenKeep() >= 1 ? s : new RandomMasking(t * h * w, 0.0);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyStrategyGivesAConsistentMask(long seed) {
        for (int kind = 0; kind < 4; kind++) {
            MaskingStrategy s = strategy(seed, kind);
            Mask m = s.sample(new Random(seed), 3);
            int n = m.batch(), l = m.numTokens(), k = m.lenKeep();
            assertEquals(s.lenKeep(), k, "seed " + seed + " kind " + kind);
            for (int b = 0; b < n; b++) {
                int ones = 0;
                for (int i = 0; i < l; i++) ones += (int) m.mask().data()[b * l + i];
                assertEquals(l - k, ones, "seed " + seed + " kind " + kind + ": mask must have L - len_keep ones");
                // ids_restore inverts the shuffle: kept token r sits at position r of the shuffle.
                boolean[] seen = new boolean[l];
                for (int r = 0; r < k; r++) {
                    int tok = m.idsKeep().data[b * k + r];
                    assertEquals(r, m.idsRestore().data[b * l + tok], "seed " + seed + " kind " + kind);
                    assertEquals(0f, m.mask().data()[b * l + tok], "seed " + seed + ": a kept token is marked masked");
                    seen[tok] = true;
                }
                int[] pos = new int[l];
                for (int i = 0; i < l; i++) pos[i] = m.idsRestore().data[b * l + i];
                java.util.Arrays.sort(pos);
                for (int i = 0; i < l; i++) assertEquals(i, pos[i], "seed " + seed + ": ids_restore is not a permutation");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void tubeMasksAreTheSameInEveryTemporalSlot(long seed) {
        Random r = new Random(seed);
        int t = 2 + r.nextInt(6), hw = 4 + r.nextInt(30);
        Mask m = new TubeMasking(t, hw, 0.2 + 0.7 * r.nextDouble()).sample(r, 2);
        for (int b = 0; b < 2; b++)
            for (int ti = 1; ti < t; ti++)
                for (int s = 0; s < hw; s++)
                    assertEquals(m.mask().data()[b * t * hw + s], m.mask().data()[b * t * hw + ti * hw + s], "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void frameMasksRemoveWholeSlots(long seed) {
        Random r = new Random(seed);
        int t = 2 + r.nextInt(7), hw = 1 + r.nextInt(30);
        Mask m = new FrameMasking(t, hw, 0.2 + 0.6 * r.nextDouble()).sample(r, 2);
        for (int b = 0; b < 2; b++)
            for (int ti = 0; ti < t; ti++)
                for (int s = 1; s < hw; s++)
                    assertEquals(m.mask().data()[(b * t + ti) * hw], m.mask().data()[(b * t + ti) * hw + s], "seed " + seed);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void cubeMasksFormFewContiguousBlocks(long seed) {
        // Random masking at the same ratio scatters tokens into many pieces; boxes give few.
        Mask cube = new CubeMasking(8, 14, 14, 0.5).sample(new Random(seed), 1);
        Mask random = new RandomMasking(8 * 14 * 14, 0.5).sample(new Random(seed), 1);
        int cc = components(cube.mask().data(), 8, 14, 14), rc = components(random.mask().data(), 8, 14, 14);
        assertTrue(cc * 5 < rc, "seed " + seed + ": cube mask has " + cc + " pieces, random " + rc);
    }

    /** Masked 6-connected components of a [t, h, w] grid. */
    static int components(float[] mask, int t, int h, int w) {
        int[] label = new int[mask.length];
        int count = 0;
        java.util.ArrayDeque<Integer> q = new java.util.ArrayDeque<>();
        for (int start = 0; start < mask.length; start++) {
            if (mask[start] == 0 || label[start] != 0) continue;
            label[start] = ++count;
            q.add(start);
            while (!q.isEmpty()) {
                int c = q.poll(), x = c % w, y = c / w % h, z = c / (w * h);
                int[][] nb = {{x - 1, y, z}, {x + 1, y, z}, {x, y - 1, z}, {x, y + 1, z}, {x, y, z - 1}, {x, y, z + 1}};
                for (int[] p : nb) {
                    if (p[0] < 0 || p[0] >= w || p[1] < 0 || p[1] >= h || p[2] < 0 || p[2] >= t) continue;
                    int i = (p[2] * h + p[1]) * w + p[0];
                    if (mask[i] != 0 && label[i] == 0) {
                        label[i] = count;
                        q.add(i);
                    }
                }
            }
        }
        return count;
    }

    @Test
    void randomMaskingKeepsTheLowestNoiseInAscendingOrder() {
        float[] noise = {0.5f, 0.1f, 0.9f, 0.3f, 0.7f};
        Mask m = new RandomMasking(5, 0.6).fromNoise(org.stmae.tensor.Tensor.of(noise, 1, 5));
        assertArrayEquals(new int[] {1, 3}, m.idsKeep().data);
        assertArrayEquals(new float[] {1, 0, 1, 0, 1}, m.mask().data());
    }

    @Test
    void tubeMaskingMasksTheLargestNoiseAndKeepsTokenOrder() {
        float[] noise = {0.5f, 0.1f, 0.9f, 0.3f};
        Mask m = new TubeMasking(2, 4, 0.5).fromNoise(org.stmae.tensor.Tensor.of(noise, 1, 4));
        assertArrayEquals(new int[] {1, 3, 5, 7}, m.idsKeep().data);
        assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0, 1, 0}, m.mask().data());
    }
}
