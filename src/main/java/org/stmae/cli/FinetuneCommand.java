package org.stmae.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.stmae.classify.ClassifierConfig.Pooling;
import org.stmae.finetune.FinetuneConfig;
import org.stmae.finetune.Finetuner;
import org.stmae.finetune.Split;
import org.stmae.mae.MaeConfig;
import org.stmae.video.VideoDataset;

/** {@code stmae finetune}: fine-tune (or linear-probe) the video classifier on a labelled folder. */
final class FinetuneCommand implements Command, BooleanFlags {
    public String name() { return "finetune"; }

    public String summary() { return "fine-tune a classifier (or --linear_probe) from a checkpoint or from scratch (metrics.csv, PNGs, checkpoint)"; }

    public String[] booleanFlags() { return new String[] {"linear_probe"}; }

    public String usage() {
        return String.join("\n",
                "usage: stmae finetune --data DIR --out RUN [--checkpoint CKPT] [--linear_probe] [flags]",
                "",
                "data (a labelled folder: the class of a video is the name of its parent folder):",
                "  --data DIR            training videos; without --val, a stratified hold-out of --val_fraction is kept for validation",
                "  --val DIR             validation videos (same class names)   --val_fraction F (default 0.2)   --split_seed S (default 0)",
                "  --sampling_rate R (default 4)   --sampling maest|videomae (default maest)   --repeat_aug K (default 1)",
                "  --flip P              horizontal flip probability (default 0: a flip turns 'left' into 'right')   --num_workers W (default 2)",
                "model:",
                "  --checkpoint CKPT     pre-training checkpoint (mae_st, VideoMAE or HF names); its stored config is used unless model flags are given",
                "  --pooling mae_st|videomae   mean of patch tokens + pre-trained norm | mean of all tokens + new fc_norm (default mae_st)",
                "  --linear_probe        freeze the encoder, train only the head (no dropout, drop path, smoothing, mixup, weight decay)",
                "optimisation (mae_st's names; defaults for tiny data):",
                "  --epochs E (default 20)   --batch_size B (default 8)   --blr 1e-3 (lr = blr x B x repeat_aug / 256)   --lr (absolute)",
                "  --min_lr 1e-6   --warmup_epochs 2   --weight_decay 0.05   --layer_decay D (default 0.75 with --checkpoint, 1 without)",
                "  --beta1 0.9 --beta2 0.999   --clip_grad 5 (0: none)   --dropout 0.3   --drop_path 0.1   --smoothing 0.1",
                "  --mixup A (default 0; recipe 0.8)   --cutmix A (default 0; recipe 1.0)   --mixup_prob 1   --mixup_switch_prob 0.5",
                "  --seed S (default 0)   --eval_every N epochs (default 1)",
                "output:",
                "  --out RUN             config.json, classes.txt, metrics.csv, loss.png, accuracy.png, checkpoint.safetensors, val_confusion.png",
                "",
                ConfigFlags.usage("tiny"));
    }

    public int run(Args a) throws Exception {
        Path data = Path.of(a.required("data")), out = Path.of(a.required("out"));
        String ckpt = a.string("checkpoint", null);
        boolean modelFlags = a.has("preset");
        for (String f : MaeConfig.Builder.FIELDS) modelFlags |= a.has(f);
        MaeConfig model = ckpt == null || modelFlags ? ConfigFlags.read(a, "tiny") : null;
        FinetuneConfig.Builder b = FinetuneConfig.builder().model(model).checkpoint(ckpt == null ? null : Path.of(ckpt))
                .linearProbe(a.bool("linear_probe"));
        FinetuneConfig d = b.build();
        try {
            b.pooling(Pooling.parse(a.string("pooling", "mae_st")));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        b.epochs(a.integer("epochs", d.epochs())).batchSize(a.integer("batch_size", d.batchSize())).repeatAug(a.integer("repeat_aug", d.repeatAug()))
                .blr(a.number("blr", d.blr())).lr(a.number("lr", d.lr())).minLr(a.number("min_lr", d.minLr()))
                .warmupEpochs(a.number("warmup_epochs", d.warmupEpochs())).weightDecay(a.number("weight_decay", d.weightDecay()))
                .layerDecay(a.number("layer_decay", d.layerDecay())).betas(a.number("beta1", d.beta1()), a.number("beta2", d.beta2()))
                .clipGrad(a.number("clip_grad", d.clipGrad())).dropout(a.number("dropout", d.dropout())).dropPath(a.number("drop_path", d.dropPath()))
                .smoothing(a.number("smoothing", d.smoothing())).mixup(a.number("mixup", d.mixup())).cutmix(a.number("cutmix", d.cutmix()))
                .mixupProb(a.number("mixup_prob", d.mixupProb())).switchProb(a.number("mixup_switch_prob", d.switchProb()))
                .seed((long) a.number("seed", d.seed())).workers(a.integer("num_workers", d.workers()))
                .samplingRate(a.integer("sampling_rate", d.samplingRate())).sampling(a.choice("sampling", d.sampling(), "maest", "videomae"))
                .flipProb(a.number("flip", d.flipProb())).evalEvery(a.integer("eval_every", d.evalEvery()));
        String valDir = a.string("val", null);
        double fraction = a.number("val_fraction", 0.2);
        long splitSeed = (long) a.number("split_seed", 0);
        a.finish();
        FinetuneConfig cfg;
        try {
            cfg = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        VideoDataset train, val;
        try {
            VideoDataset all = VideoDataset.labelledFolder(data);
            if (valDir != null) {
                train = all;
                val = org.stmae.eval.Evaluator.relabel(VideoDataset.labelledFolder(Path.of(valDir)), all.classes());
            } else {
                Split s = Split.holdOut(all, fraction, splitSeed);
                train = s.train();
                val = s.val();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            Finetuner.Result r = Finetuner.run(cfg, train, val, out, System.out);
            System.out.printf(Locale.ROOT, "validation top-1 %.2f%% top-5 %.2f%% (%d videos) after %d epochs in %.1f s%n", r.top1(), r.top5(),
                    val.size(), cfg.epochs(), r.seconds());
            System.out.println("wrote " + out.resolve(Finetuner.CHECKPOINT) + ", metrics.csv, loss.png, accuracy.png, val_confusion.png");
            return 0;
        } catch (Finetuner.DivergedException e) {
            System.err.println("stmae finetune: " + e.getMessage());
            return 1;
        }
    }
}
