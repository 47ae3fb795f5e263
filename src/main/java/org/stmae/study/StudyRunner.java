package org.stmae.study;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.stmae.finetune.FinetuneConfig;
import org.stmae.finetune.Finetuner;
import org.stmae.io.AtomicFile;
import org.stmae.mae.MaeConfig;
import org.stmae.synth.MotionDataset;
import org.stmae.train.PretrainConfig;
import org.stmae.train.Pretrainer;
import org.stmae.train.TrainCheckpoint;
import org.stmae.video.RgbFrame;
import org.stmae.video.VideoDataset;

/**
 * Runs one study: generates the labelled motion dataset once (train and a held-out set from
 * different seeds), then for every seed and variant pre-trains (unless the variant is "from
 * scratch") on the training clips without labels, fine-tunes or linear-probes with labels, and
 * appends the held-out top-1/top-5 to results.csv. Finished (variant, seed) pairs are skipped,
 * so an interrupted study continues where it stopped. results.md and NAME.png are rewritten
 * after every run.
 *
 * <p>Runs live in a shared folder ({@code data/}, {@code runs/}) under a name made from what the
 * variant changes in the model ({@link #runKey}), so studies that share it ({@link #runAll}) run
 * each distinct (model, seed) once: ratio 0.9, random masking, the norm-pix target and the
 * default decoder are the same run.
 */
public final class StudyRunner {
    /** A finished run's row, in its run folder: what another study with the same model reuses. */
    static final String RESULT = "result.csv";

    /** The studies {@code study all} runs, in order; {@code baseline} is part of {@code pretraining}. */
    public static final List<String> ALL = List.of("pretraining", "masking", "ratio", "target", "decoder");

    private final StudyPlan plan;
    private final StudySetup setup;
    private final Path out, shared;
    private final PrintStream log;

    public StudyRunner(StudyPlan plan, StudySetup setup, Path out, PrintStream log) {
        this(plan, setup, out, out, log);
    }

    /** @param shared the folder holding {@code data/}, {@code runs/} and {@code setup.txt}; {@code out} gets the study's tables */
    public StudyRunner(StudyPlan plan, StudySetup setup, Path out, Path shared, PrintStream log) {
        this.plan = plan;
        this.setup = setup;
        this.out = out;
        this.shared = shared;
        this.log = log;
    }

    /**
     * Every study of {@link #ALL} in one folder ({@code root/NAME/} for each study's tables),
     * seed by seed, so that an interrupted invocation leaves every study with its first seeds.
     */
    public static void runAll(StudySetup setup, Path root, List<RgbFrame> textures, PrintStream log) throws Exception {
        for (long seed : setup.seeds())
            for (String name : ALL) {
                log.printf(Locale.ROOT, "=== study %s, seed %d%n", name, seed);
                new StudyRunner(StudyPlan.named(name), setup.withSeeds(List.of(seed)), root.resolve(name), root, log).run(textures);
                writeSummary(root);
            }
    }

    /** {@code root/results.md}: every study's results.md found under root, in {@link #ALL}'s order, one heading level down. */
    static void writeSummary(Path root) throws IOException {
        StringBuilder sb = new StringBuilder("# studies\n");
        for (String name : ALL) {
            Path md = root.resolve(name).resolve("results.md");
            if (!Files.exists(md)) continue;
            sb.append('\n');
            for (String line : Files.readAllLines(md)) sb.append(line.startsWith("#") ? "#" + line : line).append('\n');
            sb.append("\n![").append(name).append("](").append(name).append('/').append(name).append(".png)\n");
        }
        AtomicFile.writeString(root.resolve("results.md"), sb.toString());
    }

    public StudyResults run(List<RgbFrame> textures) throws Exception {
        Files.createDirectories(out);
        checkSetup(shared.resolve("setup.txt"));
        if (!out.equals(shared)) AtomicFile.writeString(out.resolve("setup.txt"), setup.describe() + "\n");
        Path trainDir = shared.resolve("data/train"), valDir = shared.resolve("data/val");
        generate(trainDir, setup.clipsPerClass(), setup.dataSeed(), textures);
        generate(valDir, setup.valClipsPerClass(), setup.dataSeed() + 1_000_003L, textures);
        VideoDataset train = VideoDataset.labelledFolder(trainDir), val = VideoDataset.labelledFolder(valDir);
        StudyResults results = StudyResults.open(out.resolve("results.csv"));
        int total = setup.seeds().size() * plan.variants().size(), done = 0;
        for (long seed : setup.seeds())
            for (StudyPlan.Variant v : plan.variants()) {
                done++;
                if (results.has(v.label(), seed)) {
                    log.printf(Locale.ROOT, "[%d/%d] %s seed %d: already in results.csv, skipped%n", done, total, v.label(), seed);
                    continue;
                }
                log.printf(Locale.ROOT, "[%d/%d] %s seed %d%n", done, total, v.label(), seed);
                results.add(runOne(v, seed, trainDir, train, val));
                report(results);
            }
        report(results);
        return results;
    }

    /**
     * Runs and data in a folder are only reused under the same setup: a folder made with another
     * one is refused rather than mixed (seeds may differ: more seeds extend a study).
     */
    private void checkSetup(Path file) throws IOException {
        if (Files.exists(file)) {
            String had = Files.readString(file), recipe = setup.recipe();
            if (!had.startsWith(recipe + "\n"))
                throw new IllegalArgumentException(shared + " holds runs of a different setup (see its setup.txt); choose another --out");
        }
        AtomicFile.writeString(file, setup.describe() + "\n");
    }

    /**
     * The run folder's name: {@code scratch}, or {@code mae} followed by every model field the
     * variant sets to a value other than the base's, so equal models share one run.
     */
    String runKey(StudyPlan.Variant v) {
        if (!v.pretrain()) return "scratch";
        Map<String, Object> base = setup.base().toMap(), model = setup.model(v.overrides()).toMap();
        StringBuilder key = new StringBuilder("mae");
        for (String k : new TreeMap<>(model).keySet())
            if (!Objects.equals(base.get(k), model.get(k))) key.append('-').append(k).append('=').append(model.get(k));
        return key.toString();
    }

    private void generate(Path dir, int perClass, long seed, List<RgbFrame> textures) throws IOException {
        if (Files.exists(dir.resolve("classes.txt"))) return; // written last: the folder is complete
        var o = new MotionDataset.Options(dir, setup.classes(), perClass, setup.size(), setup.frames(), 15, seed, setup.backgroundContrast());
        int n = MotionDataset.generate(o, textures).size();
        log.printf(Locale.ROOT, "generated %d clips in %s%n", n, dir);
    }

    private StudyResults.Row runOne(StudyPlan.Variant v, long seed, Path trainDir, VideoDataset train, VideoDataset val) throws Exception {
        Path dir = shared.resolve("runs").resolve(runKey(v) + "-s" + seed);
        Path done = dir.resolve(RESULT);
        if (Files.exists(done)) {
            StudyResults.Row r = StudyResults.readRow(done);
            log.printf(Locale.ROOT, "%s seed %d: the same model as %s, reused (%s): top-1 %.1f %%%n", v.label(), seed, r.variant(), dir,
                    100 * r.top1());
            return r.as(plan.name(), v.label());
        }
        MaeConfig model = setup.model(v.overrides());
        Path checkpoint = null;
        double pretrainS = 0, pretrainLoss = Double.NaN;
        long steps = 0;
        if (v.pretrain()) {
            PretrainConfig pc = setup.pretrain(model, trainDir, dir.resolve("pretrain"), seed);
            checkpoint = TrainCheckpoint.file(pc.out(), pc.steps());
            long t0 = System.nanoTime();
            // A run folder from an interrupted invocation is continued, not restarted.
            new Pretrainer(pc, log).run(true);
            pretrainS = (System.nanoTime() - t0) / 1e9;
            pretrainLoss = lastLoss(pc.out().resolve("metrics.csv"));
            steps = pc.steps();
        }
        FinetuneConfig fc = setup.finetune(model, checkpoint, seed);
        Path ft = dir.resolve(fc.linearProbe() ? "probe" : "finetune");
        deleteRecursively(ft); // a fine-tuning run has no resume: an unfinished one starts over
        Finetuner.Result r = Finetuner.run(fc, train, val, ft, log);
        double top1 = r.top1() / 100, top5 = r.top5() / 100; // Finetuner reports percent
        log.printf(Locale.ROOT, "%s seed %d: top-1 %.1f %%, top-5 %.1f %% (pre-training %.0f s, %s %.0f s)%n", v.label(), seed,
                r.top1(), r.top5(), pretrainS, fc.linearProbe() ? "linear probe" : "fine-tuning", r.seconds());
        var row = new StudyResults.Row(plan.name(), v.label(), seed, steps, pretrainS, pretrainLoss,
                fc.linearProbe() ? "linear_probe" : "finetune", fc.epochs(), r.seconds(), top1, top5);
        StudyResults.writeRow(done, row);
        return row;
    }

    private void report(StudyResults results) throws IOException {
        var summaries = results.summarise(plan.labels());
        if (summaries.isEmpty()) return;
        double chance = 1.0 / setup.classes().size();
        String md = "# study: " + plan.name() + "\n\n" + plan.question() + "\n\nPapers: " + plan.paper() + "\n\n"
                + StudyResults.markdown(summaries, chance)
                + String.format(Locale.ROOT, "%nTime: %.1f min for %d runs (pre-training + evaluation, as measured when each ran).%n",
                results.seconds() / 60, results.rows().size())
                + "\nSetup:\n\n```\n" + setup.describe() + "\n```\n";
        AtomicFile.writeString(out.resolve("results.md"), md);
        StudyResults.plot("study " + plan.name() + " (" + (setup.linearProbe() ? "linear probe" : "fine-tuning") + ")", plan.xLabel(),
                summaries, chance, out.resolve(plan.name() + ".png"));
    }

    private static double lastLoss(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] f = lines.get(lines.size() - 1).split(",");
        return Double.parseDouble(f[2]);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
