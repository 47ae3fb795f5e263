package org.stmae.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The speedup line of {@code bench train}: one round, and the median of per-round ratios. */
class TrainBenchPrintTest {
    static TrainBench.Result row(String config, double clipsPerS, int round) {
        return new TrainBench.Result(config, 2, clipsPerS, 100, 1000, 4000 / clipsPerS, 4000 / clipsPerS, 10, round);
    }

    static String printed(List<TrainBench.Result> rows) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            TrainBench.print(rows, false);
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneRoundGivesItsRatio() {
        String out = printed(List.of(row("bench-S", 10, 1), row("bench-S-dense", 2, 1)));
        assertTrue(out.contains("sparse/dense speedup 5.00x (analytic FLOP ratio 5.92x)"), out);
    }

    @Test
    void roundsGiveTheMedianOfEachRoundsOwnRatio() {
        // Paired by round: round 2 was slow for both configs, round 3 fast for dense only.
        List<TrainBench.Result> rows = new ArrayList<>();
        double[][] clips = {{10, 2}, {8, 1.6}, {10, 2.5}};
        for (int r = 0; r < 3; r++) {
            rows.add(row("bench-S", clips[r][0], r + 1));
            rows.add(row("bench-S-dense", clips[r][1], r + 1));
        }
        String out = printed(rows);
        assertTrue(out.contains("sparse/dense speedup 5.00x, 0.84x of the analytic FLOP ratio 5.92x (median of 3 rounds, 4.00-5.00x)"), out);
    }
}
