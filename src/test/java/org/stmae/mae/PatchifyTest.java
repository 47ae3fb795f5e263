package org.stmae.mae;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Tensor;

/** The visible-token patchify is the full one gathered (ModelPropertiesTest checks that unpatchify inverts patchify). */
class PatchifyTest {
    static LongStream seeds() {
        return LongStream.range(0, 30);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void tokensAreRowsOfTheFullPatchify(long seed) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(3), c = 1 + r.nextInt(3), u = 1 + r.nextInt(2), p = 2 + r.nextInt(3);
        int t = u * (1 + r.nextInt(3)), h = p * (1 + r.nextInt(3)), w = p * (1 + r.nextInt(4));
        String where = "seed=" + seed + " video [" + n + ", " + c + ", " + t + ", " + h + ", " + w + "] patch " + u + "x" + p + "x" + p;
        Tensor video = Tensor.zeros(n, c, t, h, w);
        float[] v = video.data();
        for (int i = 0; i < v.length; i++) v[i] = i; // every pixel distinct: a misplaced one shows
        Tensor full = Patchify.patchify(video, p, u);
        int l = full.size(1), dim = full.size(2), k = 1 + r.nextInt(l);
        int[] ids = new int[n * k];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(l);
        Tensor some = Patchify.patchify(video, p, u, new IntTensor(ids, n, k));
        assertArrayEquals(new int[] {n, k, dim}, some.shape(), where);
        for (int b = 0; b < n; b++)
            for (int j = 0; j < k; j++)
                for (int e = 0; e < dim; e++)
                    assertEquals(full.data()[(b * l + ids[b * k + j]) * dim + e], some.data()[(b * k + j) * dim + e], where);
    }
}
