package org.stmae.study;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stmae.mae.MaeConfig;
import org.stmae.video.RgbFrame;

/** The study runner end to end at a toy size, its resumption, and the statistics it reports. */
class StudyTest {
    static List<RgbFrame> textures() {
        List<RgbFrame> t = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            byte[] px = new byte[64 * 64 * 3];
            for (int i = 0; i < px.length; i++) px[i] = (byte) ((i * (7 + 13 * k)) % 251);
            t.add(new RgbFrame(k, 0, 64, 64, px));
        }
        return t;
    }

    static StudySetup toy() {
        MaeConfig base = MaeConfig.builder().imgSize(32).patchSize(8).numFrames(4).tPatchSize(2).predTDim(2).embedDim(32).depth(1)
                .numHeads(2).decoderEmbedDim(16).decoderDepth(1).decoderNumHeads(2).maskRatio(0.75).build();
        return new StudySetup(List.of("left", "right"), 3, 2, 32, 4, 0.3, 0, base, 2, 2, 1, 1e-3, false, 1, 2, 1e-3, List.of(0L));
    }

    @Test
    void runsEveryVariantWritesTableAndPlotAndSkipsFinishedRuns(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8);
        StudyPlan plan = StudyPlan.named("pretraining");
        new StudyRunner(plan, toy(), dir, log).run(textures());
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals(StudyResults.HEADER, csv.get(0));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("pretraining,scratch,0,0,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("pretraining,mae-0.9,0,2,"), csv.get(2));
        for (String row : csv.subList(1, 3)) {
            double top1 = Double.parseDouble(row.split(",")[9]);
            assertTrue(top1 >= 0 && top1 <= 1, row);
        }
        // mae-0.9 differs from the toy base (ratio 0.75) in the mask ratio only, which names its run folder.
        assertTrue(Files.exists(dir.resolve("runs/mae-mask_ratio=0.9-s0/pretrain/checkpoint-00002.safetensors")));
        assertTrue(Files.exists(dir.resolve("runs/scratch-s0/result.csv")));
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.contains("| scratch | 1 |") && md.contains("| mae-0.9 | 1 |") && md.contains("Chance: 50.0 %"), md);
        assertTrue(Files.size(dir.resolve("pretraining.png")) > 1000);

        // A second invocation finds both rows and runs nothing.
        buf.reset();
        new StudyRunner(plan, toy(), dir, log).run(textures());
        assertEquals(csv, Files.readAllLines(dir.resolve("results.csv")));
        assertEquals(2, buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("already in results.csv")).count());
    }

    @Test
    void studiesInOneFolderRunAModelTheyShareOnceAndRefuseAnotherSetup(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream log = new PrintStream(buf, true, StandardCharsets.UTF_8);
        var first = new StudyPlan("first", "?", "-", "x", List.of(StudyPlan.Variant.mae("tube", Map.of("mask_type", "tube"))));
        var second = new StudyPlan("second", "?", "-", "x", List.of(StudyPlan.Variant.mae("default", Map.of("mask_ratio", "0.75")),
                StudyPlan.Variant.mae("tubes", Map.of("mask_type", "tube", "mask_ratio", "0.75"))));
        new StudyRunner(first, toy(), dir.resolve("first"), dir, log).run(textures());
        assertTrue(new StudyRunner(second, toy(), dir.resolve("second"), dir, log).runKey(second.variants().get(0)).equals("mae"));
        new StudyRunner(second, toy(), dir.resolve("second"), dir, log).run(textures());
        List<String> a = Files.readAllLines(dir.resolve("first/results.csv")), b = Files.readAllLines(dir.resolve("second/results.csv"));
        assertEquals(1, buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("reused")).count(), buf.toString(StandardCharsets.UTF_8));
        // The reused row is the first study's run under the second study's names.
        assertEquals(a.get(1).replace("first,tube,", "second,tubes,"), b.get(2));
        assertTrue(Files.exists(dir.resolve("runs/mae-s0")) && Files.exists(dir.resolve("runs/mae-mask_type=tube-s0")));
        assertTrue(Files.readString(dir.resolve("second/results.md")).contains("Time: "));

        StudySetup other = new StudySetup(List.of("left", "right"), 4, 2, 32, 4, 0.3, 0, toy().base(), 2, 2, 1, 1e-3, false, 1, 2, 1e-3, List.of(0L));
        var e = assertThrows(IllegalArgumentException.class, () -> new StudyRunner(first, other, dir.resolve("first"), dir, log).run(textures()));
        assertTrue(e.getMessage().contains("different setup"), e.getMessage());
    }

    @Test
    void theSummaryOfAllStudiesHoldsEachStudysTableInOrder(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("ratio"));
        Files.createDirectories(dir.resolve("pretraining"));
        Files.writeString(dir.resolve("ratio/results.md"), "# study: ratio\n\n| 0.9 |\n");
        Files.writeString(dir.resolve("pretraining/results.md"), "# study: pretraining\n\n| scratch |\n");
        StudyRunner.writeSummary(dir);
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.indexOf("## study: pretraining") < md.indexOf("## study: ratio") && md.contains("![ratio](ratio/ratio.png)"), md);
        assertFalse(md.contains("masking"), md);
    }

    @Test
    void summaryIsMeanAndSampleStdOverSeeds(@TempDir Path dir) throws IOException {
        StudyResults r = StudyResults.open(dir.resolve("r.csv"));
        double[] top1 = {0.5, 0.7, 0.9};
        for (int s = 0; s < 3; s++) r.add(new StudyResults.Row("ratio", "0.9", s, 10, 1, 0.5, "finetune", 2, 3, top1[s], 1));
        r.add(new StudyResults.Row("ratio", "0.5", 0, 10, 1, Double.NaN, "finetune", 2, 3, 0.25, 0.5));
        var sums = StudyResults.open(dir.resolve("r.csv")).summarise(List.of("0.5", "0.75", "0.9"));
        assertEquals(List.of("0.5", "0.9"), sums.stream().map(StudyResults.Summary::variant).toList());
        assertEquals(0.7, sums.get(1).meanTop1(), 1e-12);
        assertEquals(0.2, sums.get(1).stdTop1(), 1e-12); // sqrt((0.04 + 0 + 0.04) / 2)
        assertEquals(0, sums.get(0).stdTop1());
    }

    @Test
    void refusesAFileThatIsNotAResultsFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("results.csv");
        Files.writeString(f, "step,loss\n1,2\n");
        IOException e = assertThrows(IOException.class, () -> StudyResults.open(f));
        assertTrue(e.getMessage().contains("not a study results file"), e.getMessage());
    }

    @Test
    void everyNamedStudyBuildsValidConfigs() {
        StudySetup s = StudySetup.defaults();
        for (String name : StudyPlan.NAMES)
            for (StudyPlan.Variant v : StudyPlan.named(name).variants()) assertNotNull(s.model(v.overrides()), name + " " + v.label());
        assertThrows(IllegalArgumentException.class, () -> StudyPlan.named("nope"));
    }
}
