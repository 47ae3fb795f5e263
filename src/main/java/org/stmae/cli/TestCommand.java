package org.stmae.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.stmae.classify.ClassifierCheckpoints;
import org.stmae.eval.Evaluator;
import org.stmae.io.AtomicFile;
import org.stmae.train.Data;
import org.stmae.video.VideoDataset;

/** {@code stmae test}: multi-view testing of a fine-tuned classifier. */
final class TestCommand implements Command {
    public String name() { return "test"; }

    public String summary() { return "multi-view test of a fine-tuned classifier: top-1/top-5, confusion matrix PNG"; }

    public String usage() {
        return String.join("\n",
                "usage: stmae test --checkpoint CKPT --data DIR [--views K] [--crops 3] [--out DIR]",
                "",
                "  --checkpoint CKPT     a classifier checkpoint written by stmae finetune",
                "  --data DIR            labelled folder (class = parent folder name; names must be among the checkpoint's classes)",
                "  --views K             temporal clips per video (default 5)   --crops 1|3 spatial crops (default 3)",
                "  --sampling_rate R (default 4)   --sampling maest|videomae (default maest)   --num_workers W (default 2)",
                "  --out DIR             where test.json, confusion.csv and confusion.png go (default: the checkpoint's folder)");
    }

    public int run(Args a) throws Exception {
        Path ckpt = Path.of(a.required("checkpoint")), data = Path.of(a.required("data"));
        int views = a.integer("views", 5), crops = a.integer("crops", 3), workers = Math.max(1, a.integer("num_workers", 2));
        int rate = a.integer("sampling_rate", 4);
        String sampling = a.choice("sampling", "maest", "maest", "videomae");
        Path parent = ckpt.toAbsolutePath().getParent();
        Path out = Path.of(a.string("out", parent.toString()));
        a.finish();
        if (views < 1 || crops != 1 && crops != 3) throw new UsageException("--views must be >= 1 and --crops 1 or 3");
        var loaded = ClassifierCheckpoints.load(ckpt);
        VideoDataset ds;
        try {
            ds = Evaluator.relabel(VideoDataset.labelledFolder(data), loaded.classes());
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new UsageException("--data " + e.getMessage());
        }
        var model = loaded.model();
        var sampler = Data.sampler(model.cfg.encoder(), rate, 1, sampling);
        long t0 = System.nanoTime();
        Evaluator.Result r = Evaluator.evaluate(model, ds, loaded.classes(), sampler, views, crops, workers, System.err);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "top-1 %.2f%% top-5 %.2f%% on %d videos (%d x %d views each, %d skipped) in %.1f s%n",
                r.top1(), r.top5(), r.videos(), views, crops, r.skipped(), s);
        java.nio.file.Files.createDirectories(out);
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("checkpoint", ckpt.toString());
        m.put("data", data.toString());
        m.put("views", views);
        m.put("crops", crops);
        m.put("videos", r.videos());
        m.put("skipped", r.skipped());
        m.put("top1", r.top1());
        m.put("top5", r.top5());
        m.put("loss", r.loss());
        AtomicFile.writeString(out.resolve("test.json"), org.stmae.io.Json.write(m) + "\n");
        AtomicFile.writeString(out.resolve("confusion.csv"), r.confusion().csv());
        r.confusion().writePng(out.resolve("confusion.png"), String.format(Locale.ROOT, "test: top-1 %.1f%%, %d x %d views", r.top1(), views, crops));
        System.out.println("wrote " + out.resolve("test.json") + ", confusion.csv and confusion.png");
        return r.videos() == 0 ? 1 : 0;
    }
}
