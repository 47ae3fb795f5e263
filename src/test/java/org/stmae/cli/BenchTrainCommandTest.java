package org.stmae.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.stmae.tensor.CpuBackend;
import org.stmae.tensor.Kernels;

/** {@code stmae bench train} on the tiny config: the CSV columns, and what {@code --profile} adds. */
class BenchTrainCommandTest {
    @Test
    void csvHasTheMedianAndTheMean() {
        CliRun r = CliRun.of("bench", "train", "--config", "tiny", "--steps", "2", "--warmup", "1", "--format", "csv");
        assertEquals(0, r.rc(), r.errText());
        List<String> lines = r.out().lines().toList();
        assertEquals("config,threads,clips_per_s,gflops,peak_heap_mb,step_ms,steps,mean_step_ms,round", lines.get(0));
        String[] row = lines.get(1).split(",");
        assertEquals("tiny", row[0]);
        assertEquals(9, row.length);
        assertTrue(Double.parseDouble(row[5]) > 0 && Double.parseDouble(row[7]) > 0, lines.get(1));
        assertEquals("1", row[8]);
    }

    @Test
    void roundsRunTheConfigsInTurn() {
        CliRun r = CliRun.of("bench", "train", "--config", "tiny", "--steps", "1", "--warmup", "0", "--rounds", "2", "--format", "csv");
        assertEquals(0, r.rc(), r.errText());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(1).startsWith("tiny,") && lines.get(1).endsWith(",1"), lines.get(1));
        assertTrue(lines.get(2).startsWith("tiny,") && lines.get(2).endsWith(",2"), lines.get(2));
        assertNotEquals(0, CliRun.of("bench", "train", "--config", "tiny", "--rounds", "0").rc());
    }

    @Test
    void interleaveRunsABlockOfEachConfigPerRound() {
        CliRun r = CliRun.of("bench", "train", "--config", "tiny,tiny", "--rounds", "2", "--warmup", "1", "--interleave", "--format", "csv");
        assertEquals(0, r.rc(), r.errText());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size(), r.out());
        for (int i = 1; i <= 4; i++) {
            String[] row = lines.get(i).split(",");
            assertEquals("tiny", row[0], lines.get(i));
            assertTrue(Integer.parseInt(row[6]) >= 2 && Double.parseDouble(row[5]) > 0, lines.get(i) + ": at least two timed steps a block");
            assertEquals(String.valueOf((i + 1) / 2), row[8], lines.get(i) + ": rounds 1, 1, 2, 2");
            // A config's block length is fixed once, from its last warm-up step: the same in every round.
            if (i > 2) assertEquals(lines.get(i - 2).split(",")[6], row[6], lines.get(i - 2) + " / " + lines.get(i));
        }
        for (String[] bad : new String[][] {{"--steps", "4"}, {"--profile"}}) {
            String[] argv = Stream.concat(Stream.of("bench", "train", "--config", "tiny", "--interleave"), Arrays.stream(bad)).toArray(String[]::new);
            CliRun refused = CliRun.of(argv);
            assertNotEquals(0, refused.rc(), String.join(" ", argv));
            assertTrue(refused.errText().contains("--interleave"), refused.errText());
        }
    }

    @Test
    void profileListsTheKernelsOfAStepAndPutsTheBackendBack() {
        CliRun r = CliRun.of("bench", "train", "--config", "tiny", "--steps", "2", "--warmup", "1", "--profile");
        assertEquals(0, r.rc(), r.errText());
        String out = r.out();
        // tiny: every block has a fused q/k/v projection, so that product must show with its shape.
        assertTrue(out.contains("kernel (per step)"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("matmul ") && l.contains(":nt")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("adamw ")), out);
        String all = out.lines().filter(l -> l.startsWith("all kernels")).findFirst().orElseThrow();
        String outside = out.lines().filter(l -> l.startsWith("outside kernels")).findFirst().orElseThrow();
        double in = Double.parseDouble(all.trim().split("\\s+")[2]), rest = Double.parseDouble(outside.trim().split("\\s+")[2]);
        assertTrue(in > 0, all);
        // The two parts add up to the mean step the header names (each printed to 0.1 or 0.01 ms).
        String header = out.lines().filter(l -> l.contains("mean step")).findFirst().orElseThrow();
        double mean = Double.parseDouble(header.replaceAll(".*mean step ([0-9.]+) ms.*", "$1"));
        assertEquals(mean, in + rest, 0.06, String.format(Locale.ROOT, "%s / %s / %s", header, all, outside));
        assertSame(CpuBackend.INSTANCE, Kernels.backend(), "the profiling backend must not outlive the command");
    }
}
