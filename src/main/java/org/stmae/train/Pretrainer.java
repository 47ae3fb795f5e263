package org.stmae.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.stmae.autograd.Parameter;
import org.stmae.io.AtomicFile;
import org.stmae.io.Json;
import org.stmae.mae.Init;
import org.stmae.mae.MaeConfig;
import org.stmae.mae.MaskedAutoencoder;
import org.stmae.masking.MaskingStrategy;
import org.stmae.plot.LineChart;
import org.stmae.tensor.Tensor;
import org.stmae.tensor.Workspace;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoLoader;

/**
 * The pre-training loop (SPEC.md, pre-training): clips from the stream, a fresh mask per clip,
 * forward, backward (accumulated over {@code accum_iter} micro-batches), gradient clipping, AdamW
 * at the scheduled learning rate. Every random choice is a function of the seed and the step
 * (masks) or of the seed, the epoch and the video (clips), so the same seed, data and thread
 * count give the same bits, and a resumed run continues exactly where the checkpoint was taken.
 */
public final class Pretrainer {
    private final PretrainConfig cfg;
    private final PrintStream out;
    private final List<double[]> metrics = new ArrayList<>(); // step, loss, lr
    private long stopAfter = Long.MAX_VALUE;

    /** A run stopped by a non-finite loss. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    public Pretrainer(PretrainConfig cfg, PrintStream out) {
        this.cfg = cfg;
        this.out = out;
    }

    /** SplitMix64 of (seed, step, micro-batch): the mask generator's seed for one micro-batch. */
    public static long maskSeed(long seed, long step, int micro) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xD1B54A32D192ED03L + micro * 0x8CB92BA72F3D8DD7L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public static VideoDataset dataset(Path data) throws IOException {
        if (Files.isDirectory(data)) return VideoDataset.folder(data);
        if (Files.isRegularFile(data)) return VideoDataset.listFile(data, data.toAbsolutePath().getParent());
        throw new IOException(data + ": no such file or directory");
    }

    /** Stops the run after this many steps as if it had been interrupted there (tests of resume). */
    Pretrainer stopAfter(long step) {
        this.stopAfter = step;
        return this;
    }

    /** Runs (or, with {@code resume}, continues) the run; returns the final model. */
    public MaskedAutoencoder run(boolean resume) throws Exception {
        Path run = cfg.out();
        Files.createDirectories(run);
        List<Path> existing = TrainCheckpoint.list(run);
        if (!resume && !existing.isEmpty())
            throw new IOException(run + " already holds checkpoints; continue it with --resume " + run + " or choose another --out");
        MaeConfig m = cfg.model();
        MaskedAutoencoder model = Init.create(m, cfg.seed());
        List<Parameter> params = model.params.all();
        Set<String> noDecay = new HashSet<>();
        for (Parameter p : params) if (AdamW.isNoDecay(p)) noDecay.add(p.name);
        AdamW opt = new AdamW(params, noDecay, cfg.beta1(), cfg.beta2(), 1e-8, cfg.weightDecay());
        TrainCheckpoint.State state = new TrainCheckpoint.State(0, 0, 0, 0, cfg.seed());
        if (resume && !existing.isEmpty()) {
            Path last = existing.get(existing.size() - 1);
            state = TrainCheckpoint.load(last, model, opt);
            out.printf(Locale.ROOT, "resuming from %s (step %d)%n", last, state.step());
        } else if (resume) {
            out.println("no checkpoint in " + run + " yet: starting from step 0");
        }
        AtomicFile.writeString(run.resolve("config.json"), Json.write(cfg.toMap()) + "\n");
        Path csv = run.resolve("metrics.csv");
        readMetrics(csv, state.step());

        VideoDataset data = dataset(cfg.data());
        var sampler = Data.sampler(m, cfg.samplingRate(), cfg.repeatAug(), cfg.sampling());
        VideoLoader.Options lo = VideoLoader.Options.defaults().withWorkers(cfg.workers()).withSeed(cfg.seed(), 0)
                .withStrict(cfg.strict()).withWarnings(out);
        long warmup = Math.round(cfg.warmupFraction() * cfg.steps());
        LrSchedule schedule = new LrSchedule(cfg.peakLr(), cfg.minLr(), warmup, cfg.steps());
        MaskingStrategy masking = MaskedAutoencoder.masking(m);
        out.printf(Locale.ROOT, "pre-training %s on %d videos: %d steps of %d clips (batch %d x repeat %d x accum %d), lr %.3g, %,d parameters%n",
                run, data.size(), cfg.steps(), cfg.clipsPerStep(), cfg.batchSize(), cfg.repeatAug(), cfg.accumIter(), cfg.peakLr(), model.params.count());

        Progress progress = new Progress(out, cfg.steps(), state.step());
        long lastSaved = state.step();
        Workspace workspace = new Workspace();
        try (ClipStream stream = new ClipStream(data, sampler, lo, state.epoch(), state.position())) {
            for (long step = state.step(); step < Math.min(cfg.steps(), stopAfter); step++) {
                double lr = schedule.at(step);
                double lossSum = 0;
                float gradNorm;
                // One step's activations and gradients: recycled for the next step, not collected.
                try (Workspace.Scope scope = workspace.open()) {
                    for (int micro = 0; micro < cfg.accumIter(); micro++) {
                        Tensor clips = stream.next(cfg.batchSize());
                        var mask = masking.sample(new Random(maskSeed(cfg.seed(), step, micro)), clips.size(0));
                        var res = model.forward(clips, mask);
                        float loss = res.loss().value.item();
                        if (!Float.isFinite(loss)) {
                            Path good = lastSaved > 0 ? TrainCheckpoint.file(run, lastSaved) : null;
                            throw new DivergedException(String.format(Locale.ROOT, "loss is %s at step %d; stopped. %s", loss, step + 1,
                                    good == null ? "No checkpoint was written yet." : "The last good checkpoint is " + good + "."));
                        }
                        lossSum += loss;
                        res.loss().backward(Tensor.scalar(1f / cfg.accumIter()));
                    }
                    gradNorm = cfg.clipGrad() > 0 ? AdamW.clipGradNorm(params, cfg.clipGrad()) : AdamW.gradNorm(params);
                    opt.step(lr);
                    model.params.zeroGrad();
                }
                long done = step + 1;
                double loss = lossSum / cfg.accumIter();
                metrics.add(new double[] {done, loss, lr});
                progress.step(done, loss, lr, cfg.clipsPerStep());
                appendMetric(csv, done, stream.epochs(), (float) loss, lr, gradNorm, progress.clipsPerSecond(), progress.elapsed());
                if (cfg.logEvery() > 0 && (done % cfg.logEvery() == 0 || done == cfg.steps()))
                    progress.log(done, stream.epochs(), loss, lr, gradNorm, cfg.clipsPerStep());
                boolean last = done == cfg.steps();
                if (last || cfg.checkpointEvery() > 0 && done % cfg.checkpointEvery() == 0) {
                    TrainCheckpoint.save(TrainCheckpoint.file(run, done), model, opt,
                            new TrainCheckpoint.State(done, stream.epoch(), stream.position(), opt.stepCount(), cfg.seed()));
                    TrainCheckpoint.prune(run, cfg.keepLast());
                    lastSaved = done;
                    chart(run);
                }
            }
            progress.finish();
            out.println(stream.summary());
        }
        chart(run);
        return model;
    }

    private void readMetrics(Path csv, long upTo) throws IOException {
        metrics.clear();
        if (!Files.exists(csv) || upTo == 0) {
            AtomicFile.writeString(csv, "step,epoch,loss,lr,grad_norm,clips_per_s,elapsed_s\n");
            return;
        }
        // Keep the rows up to the checkpoint: a resumed run rewrites what came after it.
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            if (keep.isEmpty()) {
                keep.add(line);
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 4 || Long.parseLong(f[0]) > upTo) continue;
            keep.add(line);
            metrics.add(new double[] {Long.parseLong(f[0]), Double.parseDouble(f[2]), Double.parseDouble(f[3])});
        }
        AtomicFile.writeString(csv, String.join("\n", keep) + "\n");
    }

    private static void appendMetric(Path csv, long step, double epoch, float loss, double lr, float gradNorm, double clipsPerS, double elapsed)
            throws IOException {
        // Float.toString is the shortest decimal that reads back as the same float: full precision.
        String row = String.format(Locale.ROOT, "%d,%.4f,%s,%.6e,%s,%.3f,%.1f%n", step, epoch, Float.toString(loss), lr, Float.toString(gradNorm), clipsPerS, elapsed);
        Files.writeString(csv, row, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    }

    private void chart(Path run) throws IOException {
        if (metrics.isEmpty()) return;
        double[] x = new double[metrics.size()], y = new double[metrics.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = metrics.get(i)[0];
            y[i] = metrics.get(i)[1];
        }
        new LineChart("pre-training loss (" + cfg.model().maskType().name().toLowerCase(Locale.ROOT) + " masking "
                + Math.round(cfg.model().maskRatio() * 100) + "%)", "step", "reconstruction loss (masked patches)")
                .add("loss per step", x, y).add("moving mean (20 steps)", x, movingMean(y, 20)).write(run.resolve("loss.png"), 800, 480);
    }

    static double[] movingMean(double[] y, int w) {
        double[] m = new double[y.length];
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i];
            if (i >= w) s -= y[i - w];
            m[i] = s / Math.min(i + 1, w);
        }
        return m;
    }

}
