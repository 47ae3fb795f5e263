package org.stmae.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.stmae.study.StudyPlan;
import org.stmae.study.StudyRunner;
import org.stmae.study.StudySetup;

/** {@code stmae study NAME}: a grid of pre-training plus evaluation runs over seeds. */
final class StudyCommand implements Command, BooleanFlags {
    public String name() { return "study"; }

    public String summary() { return "reproduce a paper finding at tiny scale: pre-train variants, evaluate, table + plot with error bars"; }

    public String[] booleanFlags() { return new String[] {"linear_probe"}; }

    public String usage() {
        StudySetup d = StudySetup.defaults();
        return String.join("\n",
                "usage: stmae study NAME [--out RUN] [flags]",
                "",
                "NAME: pretraining (MAE vs from scratch) | ratio (0.5 0.75 0.9 0.95) | masking (random tube frame cube)",
                "      | target (norm-pix pixel hog) | decoder (depth 1/2/4, width 32/64/128) | baseline (from scratch only)",
                "      | all (" + String.join(", ", StudyRunner.ALL) + " in one folder, seed by seed; a model that several",
                "        studies share, such as ratio 0.9 = random masking = norm-pix = the default decoder, is run once)",
                "",
                "Generates the labelled motion dataset (RUN/data/train and RUN/data/val, different seeds), then for",
                "every seed and variant pre-trains on the training clips without labels, fine-tunes (or linear-probes)",
                "with labels, and tests on the held-out clips. Writes RUN/results.csv (one row per variant and seed,",
                "appended as each finishes; a second invocation skips finished rows), RUN/results.md (mean ± std",
                "over seeds) and RUN/NAME.png (top-1 with error bars and the chance level). Each run's folder is",
                "RUN/runs/VARIANT-sSEED/ (pre-training and fine-tuning outputs).",
                "",
                "  --out RUN                 default runs/study-NAME (all: runs/studies, each study's tables in RUN/NAME/)",
                "  --seeds 0,1               seeds (model init, masks, clip order); default " + join(d.seeds()),
                "  --clips_per_class N       training clips per class (default " + d.clipsPerClass() + "); --val_clips_per_class (default " + d.valClipsPerClass() + ")",
                "  --pretrain_steps N        default " + d.pretrainSteps() + "   --pretrain_lr (default " + d.pretrainLr() + ")",
                "  --finetune_epochs E       default " + d.finetuneEpochs() + "   --finetune_lr (default " + d.finetuneLr() + ")",
                "  --linear_probe            evaluate with a linear probe on the frozen encoder instead of fine-tuning",
                "  --background_contrast C   of the generated clips (default " + d.backgroundContrast() + ")",
                "  --textures DIR            frames for backgrounds and objects (default testdata/clips)",
                "",
                "Default setup:",
                d.describe());
    }

    public int run(Args args) throws Exception {
        List<String> pos = args.positionals();
        if (pos.size() != 1) throw new UsageException("give one study NAME (" + String.join(", ", StudyPlan.NAMES) + ", all)");
        boolean all = pos.get(0).equals("all");
        StudyPlan plan = null;
        if (!all) {
            try {
                plan = StudyPlan.named(pos.get(0));
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown study '" + pos.get(0) + "' (" + String.join(", ", StudyPlan.NAMES) + ", all)");
            }
        }
        StudySetup d = StudySetup.defaults();
        List<Long> seeds = d.seeds();
        String seedFlag = args.string("seeds", null);
        if (seedFlag != null) {
            try {
                seeds = Arrays.stream(seedFlag.split(",")).map(String::trim).map(Long::parseLong).toList();
            } catch (NumberFormatException e) {
                throw new UsageException("--seeds must be comma-separated integers, got '" + seedFlag + "'");
            }
        }
        StudySetup s = new StudySetup(d.classes(), positive(args, "clips_per_class", d.clipsPerClass()),
                positive(args, "val_clips_per_class", d.valClipsPerClass()), d.size(), d.frames(),
                args.number("background_contrast", d.backgroundContrast()), d.dataSeed(), d.base(),
                positive(args, "pretrain_steps", (int) d.pretrainSteps()), d.pretrainBatch(), d.repeatAug(), args.number("pretrain_lr", d.pretrainLr()),
                d.linearProbe() || args.bool("linear_probe"), positive(args, "finetune_epochs", d.finetuneEpochs()), d.finetuneBatch(),
                args.number("finetune_lr", d.finetuneLr()), seeds);
        Path out = Path.of(args.string("out", all ? "runs/studies" : "runs/study-" + plan.name()));
        Path textures = Path.of(args.string("textures", "testdata/clips"));
        args.finish();
        var tex = MakeDatasetCommand.textures(textures);
        if (tex.size() < 2) throw new UsageException("--textures " + textures + ": fewer than 2 readable frames");
        System.out.println(s.describe());
        if (all) {
            StudyRunner.runAll(s, out, tex, System.out);
            System.out.println("wrote " + out + "/{" + String.join(",", StudyRunner.ALL) + "}/results.{csv,md} and the plots");
            return 0;
        }
        System.out.println("study " + plan.name() + ": " + plan.question());
        new StudyRunner(plan, s, out, System.out).run(tex);
        System.out.println("wrote " + out.resolve("results.csv") + ", " + out.resolve("results.md") + " and " + out.resolve(plan.name() + ".png"));
        return 0;
    }

    private static int positive(Args a, String name, int dflt) {
        int v = a.integer(name, dflt);
        if (v < 1) throw new UsageException("--" + name + " must be >= 1, got " + v);
        return v;
    }

    private static String join(List<Long> seeds) {
        return String.join(",", seeds.stream().map(String::valueOf).toList());
    }
}
