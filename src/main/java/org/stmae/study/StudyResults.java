package org.stmae.study;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.stmae.io.AtomicFile;
import org.stmae.plot.LineChart;

/**
 * The rows of {@code RUN/results.csv}, one per (variant, seed), and what is made from them: the
 * Markdown table (mean and sample standard deviation over seeds) and the plot with error bars.
 * A row is appended as soon as its run ends, so an interrupted study keeps what it finished and
 * {@link #has} lets the next invocation skip it.
 */
public final class StudyResults {
    public static final String HEADER = "study,variant,seed,pretrain_steps,pretrain_s,pretrain_loss,eval,eval_epochs,eval_s,top1,top5";

    /** One finished (variant, seed) run; {@code pretrainSteps} is 0 for a model trained from scratch. */
    public record Row(String study, String variant, long seed, long pretrainSteps, double pretrainSeconds, double pretrainLoss,
                      String eval, int evalEpochs, double evalSeconds, double top1, double top5) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%s,%d,%d,%.1f,%s,%s,%d,%.1f,%.4f,%.4f", study, variant, seed, pretrainSteps,
                    pretrainSeconds, Double.isNaN(pretrainLoss) ? "" : Float.toString((float) pretrainLoss), eval, evalEpochs,
                    evalSeconds, top1, top5);
        }

        /** The same run reported under another study's name and label (a run shared between studies). */
        Row as(String study, String variant) {
            return new Row(study, variant, seed, pretrainSteps, pretrainSeconds, pretrainLoss, eval, evalEpochs, evalSeconds, top1, top5);
        }

        static Row parse(String line) {
            String[] f = line.split(",", -1);
            if (f.length != 11) throw new IllegalArgumentException("expected 11 fields, got " + f.length + ": " + line);
            return new Row(f[0], f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Double.parseDouble(f[4]),
                    f[5].isEmpty() ? Double.NaN : Double.parseDouble(f[5]), f[6], Integer.parseInt(f[7]), Double.parseDouble(f[8]),
                    Double.parseDouble(f[9]), Double.parseDouble(f[10]));
        }
    }

    /** Mean and sample standard deviation (0 for a single seed) of one variant's top-1. */
    public record Summary(String variant, int n, double meanTop1, double stdTop1, double meanTop5, double meanPretrainS, double meanEvalS) {}

    private final Path csv;
    private final List<Row> rows = new ArrayList<>();

    private StudyResults(Path csv) {
        this.csv = csv;
    }

    /** Opens {@code csv}, reading the rows a previous invocation finished, or starts it. */
    public static StudyResults open(Path csv) throws IOException {
        StudyResults r = new StudyResults(csv);
        if (Files.exists(csv)) {
            List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER))
                throw new IOException(csv + ": not a study results file (header is not '" + HEADER + "')");
            for (String line : lines.subList(1, lines.size())) if (!line.isBlank()) r.rows.add(Row.parse(line));
        } else {
            AtomicFile.writeString(csv, HEADER + "\n");
        }
        return r;
    }

    /** A single row with the header, as a run folder keeps its result. */
    static void writeRow(Path file, Row row) throws IOException {
        AtomicFile.writeString(file, HEADER + "\n" + row.csv() + "\n");
    }

    static Row readRow(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.size() < 2 || !lines.get(0).equals(HEADER)) throw new IOException(file + ": not a study result (header '" + HEADER + "' and one row)");
        return Row.parse(lines.get(1));
    }

    /** Wall time of all runs, in seconds: what the study costs on its own (shared runs counted in full). */
    public double seconds() {
        return rows.stream().mapToDouble(r -> r.pretrainSeconds + r.evalSeconds).sum();
    }

    public boolean has(String variant, long seed) {
        return rows.stream().anyMatch(r -> r.variant.equals(variant) && r.seed == seed);
    }

    public void add(Row row) throws IOException {
        rows.add(row);
        Files.writeString(csv, row.csv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Per variant, in the order given (variants without rows are left out). */
    public List<Summary> summarise(List<String> variants) {
        Map<String, List<Row>> by = new LinkedHashMap<>();
        for (String v : variants) by.put(v, new ArrayList<>());
        for (Row r : rows) if (by.containsKey(r.variant)) by.get(r.variant).add(r);
        List<Summary> out = new ArrayList<>();
        for (var e : by.entrySet()) {
            List<Row> rs = e.getValue();
            if (rs.isEmpty()) continue;
            double[] top1 = rs.stream().mapToDouble(Row::top1).toArray();
            out.add(new Summary(e.getKey(), rs.size(), mean(top1), std(top1), rs.stream().mapToDouble(Row::top5).average().orElse(0),
                    rs.stream().mapToDouble(Row::pretrainSeconds).average().orElse(0), rs.stream().mapToDouble(Row::evalSeconds).average().orElse(0)));
        }
        return out;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Sample standard deviation (n - 1), 0 for one value. */
    static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    /** The Markdown table: one line per variant, accuracies in percent. */
    public static String markdown(List<Summary> summaries, double chance) {
        StringBuilder sb = new StringBuilder("| variant | seeds | top-1 % (mean ± std) | top-5 % | pre-train s | eval s |\n|---|---|---|---|---|---|\n");
        for (Summary s : summaries)
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f ± %.1f | %.1f | %.0f | %.0f |%n", s.variant, s.n, 100 * s.meanTop1,
                    100 * s.stdTop1, 100 * s.meanTop5, s.meanPretrainS, s.meanEvalS));
        sb.append(String.format(Locale.ROOT, "%nChance: %.1f %% top-1.%n", 100 * chance));
        return sb.toString();
    }

    /** Top-1 per variant with ± one standard deviation, and the chance level as a flat line. */
    public static void plot(String title, String xLabel, List<Summary> summaries, double chance, Path png) throws IOException {
        int n = summaries.size();
        double[] x = new double[n], y = new double[n], err = new double[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            Summary s = summaries.get(i);
            x[i] = i;
            y[i] = 100 * s.meanTop1;
            err[i] = 100 * s.stdTop1;
            names[i] = s.variant;
        }
        new LineChart(title, xLabel, "top-1 accuracy % (mean ± std over seeds)").categories(names)
                .add("top-1", x, y, err).add("chance", new double[] {-0.5, n - 0.5}, new double[] {100 * chance, 100 * chance})
                .write(png, 800, 480);
    }
}
