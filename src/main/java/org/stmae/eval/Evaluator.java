package org.stmae.eval;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.stmae.classify.VideoClassifier;
import org.stmae.video.BadVideoException;
import org.stmae.video.ClipSampler;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoLoader;

/**
 * Multi-view testing (SPEC.md, evaluation): every video gives {@code views} temporal clips x
 * {@code crops} spatial crops (the sampler's deterministic test views); each view's softmax is
 * taken and the views are averaged per video (VideoMAE averages, mae_st sums: the same ranking);
 * top-1 and top-5 come from the average. Bad videos are skipped and counted, as in training.
 */
public final class Evaluator {
    private Evaluator() {}

    /**
     * @param loss mean over videos of -ln(averaged probability of the true class)
     */
    public record Result(double top1, double top5, double loss, int videos, int skipped, ConfusionMatrix confusion) {}

    /** Clips per forward pass (several videos' views share one batch). */
    static final int BATCH_CLIPS = 16;

    public static Result evaluate(VideoClassifier model, VideoDataset data, List<String> classes, ClipSampler sampler, int views, int crops,
                                  int workers, PrintStream warnings) throws BadVideoException {
        int k = model.cfg.numClasses();
        if (classes.size() != k) throw new IllegalArgumentException(classes.size() + " class names for a " + k + "-class model");
        TopK acc = new TopK();
        ConfusionMatrix cm = new ConfusionMatrix(classes);
        double lossSum = 0;
        VideoLoader.Options opt = VideoLoader.Options.defaults().withWorkers(Math.max(1, workers)).withShuffle(false)
                .withTest(views, crops).withWarnings(warnings);
        int per = views * crops, videosPerBatch = Math.max(1, BATCH_CLIPS / per);
        try (VideoLoader loader = new VideoLoader(data, sampler, opt)) {
            VideoLoader.Batch batch;
            while ((batch = loader.nextBatch(videosPerBatch)) != null) {
                float[] probs = model.probabilities(batch.clips()).data();
                for (int v = 0; v < batch.labels().length / per; v++) {
                    double[] sum = new double[k];
                    for (int r = v * per; r < (v + 1) * per; r++) for (int j = 0; j < k; j++) sum[j] += probs[r * k + j];
                    float[] avg = new float[k];
                    for (int j = 0; j < k; j++) avg[j] = (float) (sum[j] / per);
                    int label = batch.labels()[v * per];
                    if (label < 0 || label >= k)
                        throw new IllegalArgumentException(batch.paths()[v * per] + ": label " + label + " outside the model's " + k + " classes");
                    acc.add(avg, 0, k, label);
                    cm.add(label, TopK.argmax(avg, 0, k));
                    lossSum -= Math.log(Math.max(sum[label] / per, 1e-30));
                }
            }
            int n = (int) acc.count();
            return new Result(acc.top1(), acc.top5(), n == 0 ? Double.NaN : lossSum / n, n, loader.skipped(), cm);
        }
    }

    /**
     * The dataset with labels renumbered to {@code classes} (a model's class order) by name; a
     * class the model does not know is one error line.
     */
    public static VideoDataset relabel(VideoDataset data, List<String> classes) {
        List<VideoDataset.Entry> out = new ArrayList<>();
        for (VideoDataset.Entry e : data.entries()) {
            if (e.label() < 0) throw new IllegalArgumentException(e.path() + ": no label");
            String name = data.classes().get(e.label());
            int idx = classes.indexOf(name);
            if (idx < 0) throw new IllegalArgumentException(e.path() + ": class '" + name + "' is not one of the model's classes " + classes);
            out.add(new VideoDataset.Entry(e.path(), idx));
        }
        return new VideoDataset(out, classes);
    }
}
