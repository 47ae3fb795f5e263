package org.stmae.finetune;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.stmae.autograd.NoGrad;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.SoftCrossEntropy;
import org.stmae.autograd.Var;
import org.stmae.classify.ClassifierCheckpoints;
import org.stmae.classify.ClassifierConfig;
import org.stmae.classify.VideoClassifier;
import org.stmae.eval.Evaluator;
import org.stmae.io.AtomicFile;
import org.stmae.io.Json;
import org.stmae.mae.MaeConfig;
import org.stmae.plot.LineChart;
import org.stmae.tensor.Tensor;
import org.stmae.tensor.Workspace;
import org.stmae.train.AdamW;
import org.stmae.train.Data;
import org.stmae.train.LrSchedule;
import org.stmae.train.Pretrainer;
import org.stmae.train.Progress;
import org.stmae.video.ClipSampler;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoLoader;

/**
 * Supervised fine-tuning of the video classifier, or a linear probe on its frozen encoder
 * (SPEC.md, fine-tuning): epochs over the labelled training videos in a seeded order, mixup /
 * cutmix / label smoothing into soft targets, soft-target cross-entropy, gradient clipping, AdamW
 * with layer-wise lr decay on mae_st's per-step warm-up + cosine schedule, and a deterministic
 * single-view validation after every {@code eval_every} epochs. The same seed, data and thread
 * count give the same numbers.
 */
public final class Finetuner {
    private Finetuner() {}

    /** One row of metrics.csv; validation fields are NaN for epochs without validation. */
    public record EpochMetrics(int epoch, double trainLoss, double valLoss, double valTop1, double valTop5, double lr, double elapsedSeconds) {}

    /**
     * The outcome: validation top-1 / top-5 (percent) of the final model, every epoch's metrics,
     * the wall time, the trained model and its class names.
     */
    public record Result(double top1, double top5, List<EpochMetrics> epochs, double seconds, VideoClassifier model, List<String> classes) {}

    /** A run stopped by a non-finite loss. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    public static final String CHECKPOINT = "checkpoint.safetensors";

    /**
     * Trains on {@code train} and validates on {@code val} (null or empty: no validation; top-1 NaN).
     * With {@code out} non-null the run folder gets config.json, classes.txt, metrics.csv,
     * loss.png, accuracy.png, checkpoint.safetensors (after every validation, atomically) and
     * val_confusion.png; with null nothing is written. Progress and reports go to {@code log}.
     */
    public static Result run(FinetuneConfig cfg, VideoDataset train, VideoDataset val, Path out, PrintStream log) throws Exception {
        long start = System.nanoTime();
        List<String> classes = train.classes();
        if (classes.isEmpty()) throw new IllegalArgumentException("the training data has no classes (a labelled folder: one sub-folder per class)");
        if (out != null) {
            if (Files.exists(out.resolve(CHECKPOINT)))
                throw new IOException(out + " already holds a fine-tuned " + CHECKPOINT + "; choose another --out");
        }
        MaeConfig enc = cfg.model();
        if (enc == null) enc = cfg.checkpoint() != null ? ClassifierCheckpoints.encoderConfig(cfg.checkpoint()) : MaeConfig.preset("tiny");
        if (enc == null) throw new IllegalArgumentException(cfg.checkpoint() + " stores no model config: give the model flags (--preset ...)");
        ClassifierConfig cc = new ClassifierConfig(enc, classes.size(), cfg.pooling(), cfg.dropout(), cfg.dropPath());
        VideoClassifier model = VideoClassifier.create(cc, cfg.seed());
        if (cfg.checkpoint() != null) ClassifierCheckpoints.initEncoder(model, cfg.checkpoint(), log);
        else if (cfg.linearProbe()) log.println("warning: a linear probe without --checkpoint trains a head on a random encoder");

        List<Parameter> trained = cfg.linearProbe() ? model.params.all().stream().filter(p -> p.name.startsWith("head.")).toList() : model.params.all();
        AdamW opt = new AdamW(trained, LayerDecay.noWeightDecay(trained), cfg.beta1(), cfg.beta2(), 1e-8, cfg.weightDecay())
                .lrScales(LayerDecay.scales(trained, enc.depth(), cfg.effectiveLayerDecay()));
        int stepsPerEpoch = Math.max(1, train.size() / cfg.batchSize());  // drop_last, as mae_st's training loader
        long total = (long) stepsPerEpoch * cfg.epochs();
        LrSchedule schedule = new LrSchedule(cfg.peakLr(), cfg.minLr(), Math.round(cfg.warmupEpochs() * stepsPerEpoch), total);
        ClipSampler trainSampler = trainSampler(enc, cfg), evalSampler = Data.sampler(enc, cfg.samplingRate(), 1, cfg.sampling());
        Mixup mixup = cfg.mixupConfig();
        int clipsPerStep = cfg.batchSize() * cfg.repeatAug();

        if (out != null) {  // created only now: a bad checkpoint or config leaves no empty run folder behind
            Files.createDirectories(out);
            AtomicFile.writeString(out.resolve("config.json"), Json.write(withModel(cfg, enc)) + "\n");
            train.writeClassIndex(out);
        }
        log.printf(Locale.ROOT, "%s %s: %d train / %d val videos, %d classes, %d epochs x %d steps of %d clips, lr %.3g, layer decay %.3g, %,d parameters (%,d trained)%n",
                cfg.linearProbe() ? "linear probe" : "fine-tuning", cfg.checkpoint() == null ? "from scratch" : "from " + cfg.checkpoint(),
                train.size(), val == null ? 0 : val.size(), classes.size(), cfg.epochs(), stepsPerEpoch, clipsPerStep, cfg.peakLr(),
                cfg.effectiveLayerDecay(), model.params.count(), trained.stream().mapToLong(p -> p.value.size()).sum());

        List<EpochMetrics> rows = new ArrayList<>();
        Evaluator.Result last = null;
        Progress progress = new Progress(log, total, 0);
        long step = 0;
        Workspace workspace = new Workspace();
        VideoLoader.Options lo = VideoLoader.Options.defaults().withWorkers(Math.max(1, cfg.workers())).withWarnings(log);
        for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
            double lossSum = 0, lr = 0;
            int steps = 0;
            try (VideoLoader loader = new VideoLoader(train, trainSampler, lo.withSeed(cfg.seed(), epoch))) {
                for (int s = 0; s < stepsPerEpoch; s++) {
                    VideoLoader.Batch batch = loader.nextBatch(cfg.batchSize());
                    if (batch == null || batch.labels().length < clipsPerStep && train.size() >= cfg.batchSize()) break;
                    lr = schedule.at(step);
                    SplittableRandom rng = new SplittableRandom(Pretrainer.maskSeed(cfg.seed(), step, 1));
                    float loss;
                    try (Workspace.Scope scope = workspace.open()) { // the step's tensors, recycled for the next
                        loss = trainStep(model, cfg, mixup, batch, classes.size(), rng, trained);
                        if (!Float.isFinite(loss))
                            throw new DivergedException(String.format(Locale.ROOT, "loss is %s at step %d (epoch %d); stopped", loss, step + 1, epoch + 1));
                        opt.step(lr);
                        model.params.zeroGrad();
                    }
                    lossSum += loss;
                    steps++;
                    step++;
                    progress.step(step, loss, lr, batch.labels().length);
                }
            }
            boolean validate = val != null && val.size() > 0 && ((epoch + 1) % cfg.evalEvery() == 0 || epoch + 1 == cfg.epochs());
            last = validate ? Evaluator.evaluate(model, val, classes, evalSampler, 1, 1, cfg.workers(), log) : last;
            double elapsed = (System.nanoTime() - start) / 1e9;
            EpochMetrics row = new EpochMetrics(epoch + 1, steps == 0 ? Double.NaN : lossSum / steps, validate ? last.loss() : Double.NaN,
                    validate ? last.top1() : Double.NaN, validate ? last.top5() : Double.NaN, lr, elapsed);
            rows.add(row);
            progress.finish();
            log.printf(Locale.ROOT, "epoch %d/%d train loss %.4f%s lr %.3e elapsed %.1fs%n", epoch + 1, cfg.epochs(), row.trainLoss(),
                    validate ? String.format(Locale.ROOT, " val loss %.4f top1 %.2f%% top5 %.2f%%", row.valLoss(), row.valTop1(), row.valTop5()) : "",
                    lr, elapsed);
            if (out != null) {
                writeMetrics(out, rows);
                if (validate || epoch + 1 == cfg.epochs()) ClassifierCheckpoints.save(model, classes, out.resolve(CHECKPOINT));
            }
        }
        if (out != null && last != null)
            last.confusion().writePng(out.resolve("val_confusion.png"), String.format(Locale.ROOT, "validation, epoch %d: top-1 %.1f%%", cfg.epochs(), last.top1()));
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(last == null ? Double.NaN : last.top1(), last == null ? Double.NaN : last.top5(), rows, seconds, model, classes);
    }

    /** One forward and backward pass; returns the loss. Gradients are left in the trained parameters. */
    static float trainStep(VideoClassifier model, FinetuneConfig cfg, Mixup mixup, VideoLoader.Batch batch, int classes, SplittableRandom rng,
                           List<Parameter> trained) {
        Tensor clips = batch.clips();
        Tensor targets = mixup.apply(clips, batch.labels(), classes, rng);
        Var logits;
        if (cfg.linearProbe()) {
            Tensor f;
            try (var g = NoGrad.enter()) {
                f = model.features(clips, null).value;  // frozen encoder: no drop path, no graph
            }
            logits = model.logits(Var.constant(f), rng);
        } else {
            logits = model.forward(clips, rng);
        }
        Var loss = SoftCrossEntropy.softCrossEntropy(logits, targets);
        float value = loss.value.item();
        if (!Float.isFinite(value)) return value;
        loss.backward();
        if (cfg.clipGrad() > 0) AdamW.clipGradNorm(trained, cfg.clipGrad());
        return value;
    }

    /** The model's clip pipeline (mae_st's by default) with the run's repeat_aug and flip probability. */
    static ClipSampler trainSampler(MaeConfig enc, FinetuneConfig cfg) {
        ClipSampler.Config c = Data.sampler(enc, cfg.samplingRate(), cfg.repeatAug(), cfg.sampling()).config();
        return new ClipSampler(new ClipSampler.Config(c.temporal(), c.size(), c.repeat(), c.norm(), c.scaleMin(), c.scaleMax(), c.ratioMin(),
                c.ratioMax(), cfg.flipProb(), c.minFrames(), c.cropStyle()));
    }

    private static java.util.Map<String, Object> withModel(FinetuneConfig cfg, MaeConfig enc) {
        java.util.Map<String, Object> m = cfg.toMap();
        m.put("model", enc.toMap());
        return m;
    }

    private static void writeMetrics(Path out, List<EpochMetrics> rows) throws IOException {
        StringBuilder sb = new StringBuilder("epoch,train_loss,val_loss,val_top1,val_top5,lr,elapsed_s\n");
        for (EpochMetrics r : rows)
            sb.append(String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%.6e,%.1f%n", r.epoch(), num(r.trainLoss()), num(r.valLoss()),
                    num(r.valTop1()), num(r.valTop5()), r.lr(), r.elapsedSeconds()));
        AtomicFile.writeString(out.resolve("metrics.csv"), sb.toString());
        double[] x = new double[rows.size()], train = new double[rows.size()];
        List<double[]> v = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            x[i] = rows.get(i).epoch();
            train[i] = rows.get(i).trainLoss();
            EpochMetrics r = rows.get(i);
            if (!Double.isNaN(r.valTop1())) v.add(new double[] {r.epoch(), r.valLoss(), r.valTop1(), r.valTop5()});
        }
        LineChart loss = new LineChart("fine-tuning loss", "epoch", "cross-entropy").add("train (soft targets)", x, train);
        if (!v.isEmpty()) {
            loss.add("validation", column(v, 0), column(v, 1));
            new LineChart("validation accuracy", "epoch", "accuracy (%)").add("top-1", column(v, 0), column(v, 2))
                    .add("top-5", column(v, 0), column(v, 3)).write(out.resolve("accuracy.png"), 800, 480);
        }
        loss.write(out.resolve("loss.png"), 800, 480);
    }

    private static double[] column(List<double[]> rows, int c) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) out[i] = rows.get(i)[c];
        return out;
    }

    /** Full precision for loss and accuracy; empty for "not measured". */
    private static String num(double v) {
        return Double.isNaN(v) ? "" : Float.toString((float) v);
    }
}
