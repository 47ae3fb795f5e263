package org.stmae.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.stmae.io.Json;
import org.stmae.mae.MaeConfig;
import org.stmae.train.Data;
import org.stmae.train.Pictures;
import org.stmae.train.PretrainConfig;
import org.stmae.train.Pretrainer;

/** {@code stmae pretrain}: masked-autoencoder pre-training on a folder or list of videos. */
final class PretrainCommand implements Command, BooleanFlags {
    public String name() { return "pretrain"; }

    public String summary() { return "pre-train a masked autoencoder on videos (checkpoints, metrics.csv, loss.png, reconstruction.png)"; }

    public String[] booleanFlags() { return new String[] {"strict"}; }

    public String usage() {
        return String.join("\n",
                "usage: stmae pretrain --data DIR|LIST --out RUN [--preset P] [flags]",
                "       stmae pretrain --resume RUN [--steps N]",
                "",
                "data:",
                "  --data DIR|LIST       a folder of videos (searched recursively) or a list file (path [label] per line)",
                "  --sampling_rate R     temporal stride (default 4)     --sampling maest|videomae (default maest)",
                "  --repeat_aug K        clips drawn per decoded video (default 4, mae_st)   --num_workers W (default 2)",
                "  --strict              stop at the first unreadable video instead of skipping it",
                "optimisation (mae_st's names):",
                "  --steps N | --epochs E   length of the run (default --epochs 10)",
                "  --batch_size B        videos per step (default 2); a step sees B x repeat_aug x accum_iter clips",
                "  --accum_iter A (default 1)   --blr 1.6e-3 (lr = blr x B x A / 256)   --lr (absolute; overrides blr)",
                "  --min_lr 0   --warmup 0.05 (fraction of the steps)   --weight_decay 0.05   --beta1 0.9 --beta2 0.95",
                "  --clip_grad G (default none)   --seed S (default 0)",
                "output:",
                "  --out RUN             run folder: config.json, metrics.csv, loss.png, checkpoint-NNNNN.safetensors, reconstruction.png",
                "  --checkpoint_every N (default 100)   --keep_last K (default 3)   --log_every N (default 10)",
                "  --resume RUN          continue RUN from its newest checkpoint (bitwise the same as an uninterrupted run)",
                "compute:",
                DeviceFlag.USAGE + "; not saved with the run",
                "",
                ConfigFlags.usage("tiny"));
    }

    public int run(Args args) throws Exception {
        String resume = args.string("resume", null);
        PretrainConfig c = resume != null ? fromRun(Path.of(resume), args) : fromFlags(args);
        args.string("device", "cpu");
        args.finish();
        try (DeviceFlag device = DeviceFlag.open(args)) {
            var model = new Pretrainer(c, System.out).run(resume != null);
            var sampler = Data.sampler(c.model(), c.samplingRate(), 1, c.sampling());
            Path png = c.out().resolve("reconstruction.png");
            var videos = Pretrainer.dataset(c.data()).entries().stream().map(e -> e.path()).toList();
            if (c.model().target() == MaeConfig.Target.HOG) System.out.println("no reconstruction.png: a HOG-target model predicts no pixels");
            else if (Pictures.firstReadable(model, videos, sampler, c.seed(), png)) System.out.println("wrote " + png);
            System.out.println("wrote " + c.out().resolve("loss.png") + " and " + c.out().resolve("metrics.csv"));
            return 0;
        } catch (Pretrainer.DivergedException e) {
            System.err.println("stmae pretrain: " + e.getMessage());
            return 1;
        }
    }

    private static PretrainConfig fromFlags(Args a) {
        MaeConfig model = ConfigFlags.read(a, "tiny");
        Path data = Path.of(a.required("data")), out = Path.of(a.required("out"));
        return build(model, data, out, a, 0, 10, 2, 4, 1, 1.6e-3, 0, 0, 0.05, 0.05, 0.9, 0.95, 0, 0, 100, 3, 10, 2, 4, "maest", false);
    }

    /** The run's own config.json, with --steps, --data and a few output flags allowed to change. */
    @SuppressWarnings("unchecked")
    private static PretrainConfig fromRun(Path run, Args a) throws Exception {
        Path json = run.resolve("config.json");
        if (!Files.isRegularFile(json)) throw new UsageException("--resume " + run + ": no config.json there (not a pretrain run folder)");
        Map<String, Object> m = Json.parseObject(Files.readString(json));
        MaeConfig model = MaeConfig.fromMap((Map<String, Object>) m.get("model"));
        List<Object> betas = (List<Object>) m.get("betas");
        return build(model, Path.of(a.string("data", (String) m.get("data"))), run, a,
                ((Number) m.get("steps")).longValue(), ((Number) m.get("epochs")).doubleValue(), num(m, "batch_size"), num(m, "repeat_aug"),
                num(m, "accum_iter"), dbl(m, "blr"), dbl(m, "lr"), dbl(m, "min_lr"), dbl(m, "warmup_fraction"), dbl(m, "weight_decay"),
                ((Number) betas.get(0)).doubleValue(), ((Number) betas.get(1)).doubleValue(), dbl(m, "clip_grad"),
                ((Number) m.get("seed")).longValue(), num(m, "checkpoint_every"), num(m, "keep_last"), num(m, "log_every"),
                num(m, "num_workers"), num(m, "sampling_rate"), (String) m.get("sampling"), Boolean.TRUE.equals(m.get("strict")));
    }

    private static int num(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).intValue();
    }

    private static double dbl(Map<String, Object> m, String k) {
        return ((Number) m.get(k)).doubleValue();
    }

    private static PretrainConfig build(MaeConfig model, Path data, Path out, Args a, long steps, double epochs, int batch, int repeat,
                                        int accum, double blr, double lr, double minLr, double warmup, double wd, double b1, double b2,
                                        double clip, long seed, int ckptEvery, int keep, int logEvery, int workers, int rate,
                                        String sampling, boolean strict) throws UsageException {
        batch = a.integer("batch_size", batch);
        repeat = a.integer("repeat_aug", repeat);
        accum = a.integer("accum_iter", accum);
        if (batch < 1 || repeat < 1 || accum < 1) throw new UsageException("--batch_size, --repeat_aug and --accum_iter must be >= 1");
        long stepsFlag = a.integer("steps", -1);
        double epochsFlag = a.number("epochs", -1);
        if (stepsFlag > 0 && epochsFlag > 0) throw new UsageException("give --steps or --epochs, not both");
        int videos;
        try {
            videos = Pretrainer.dataset(data).size();
        } catch (java.io.IOException e) {
            throw new UsageException("--data " + e.getMessage());
        }
        if (videos == 0) throw new UsageException("--data " + data + ": no video files found");
        if (stepsFlag > 0) {
            steps = stepsFlag;
            epochs = (double) steps * batch * accum / videos;
        } else if (epochsFlag > 0 || steps <= 0) {
            epochs = epochsFlag > 0 ? epochsFlag : epochs;
            steps = Math.max(1, (long) Math.ceil(epochs * videos / (batch * accum)));
        }
        return new PretrainConfig(model, data, out, steps, epochs, batch, repeat, accum,
                a.number("blr", blr), a.number("lr", lr), a.number("min_lr", minLr), a.number("warmup", warmup),
                a.number("weight_decay", wd), a.number("beta1", b1), a.number("beta2", b2), a.number("clip_grad", clip),
                (long) a.number("seed", seed), a.integer("checkpoint_every", ckptEvery), Math.max(1, a.integer("keep_last", keep)),
                a.integer("log_every", logEvery), Math.max(1, a.integer("num_workers", workers)), a.integer("sampling_rate", rate),
                a.choice("sampling", sampling, "maest", "videomae"), strict || a.bool("strict"));
    }
}
