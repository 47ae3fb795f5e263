package org.stmae.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar for long runs (step, loss, lr, clips/s, ETA), redrawn in place on a terminal;
 * off a terminal only the periodic log lines appear, so logs stay readable.
 */
public final class Progress {
    private final PrintStream out;
    private final long total, first;
    private final long start = System.nanoTime();
    private final boolean tty = System.console() != null;
    private long lastDraw;
    private double clipsPerS;
    private long lastStepNanos = System.nanoTime();

    public Progress(PrintStream out, long total, long first) {
        this.out = out;
        this.total = total;
        this.first = first;
    }

    public double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Smoothed throughput: clips per step over the step's duration, averaged exponentially. */
    public double clipsPerSecond() {
        return clipsPerS;
    }

    public void step(long done, double loss, double lr, int clips) {
        long now = System.nanoTime();
        double inst = clips / Math.max(1e-9, (now - lastStepNanos) / 1e9);
        clipsPerS = clipsPerS == 0 ? inst : 0.8 * clipsPerS + 0.2 * inst;
        lastStepNanos = now;
        if (!tty || now - lastDraw < 200_000_000L && done < total) return;
        lastDraw = now;
        int width = 24, filled = (int) (width * done / Math.max(1, total));
        String bar = "=".repeat(filled) + (filled < width ? ">" : "") + " ".repeat(Math.max(0, width - filled - 1));
        out.printf(Locale.ROOT, "\rstep %d/%d [%s] loss %.4f lr %.2e %.2f clips/s ETA %s   ", done, total, bar, loss, lr, clipsPerS, eta(done));
        out.flush();
    }

    public void log(long done, double epochs, double loss, double lr, float gradNorm, int clips) {
        if (tty) out.print("\r" + " ".repeat(100) + "\r");
        out.printf(Locale.ROOT, "step %d/%d epoch %.2f loss %.6f lr %.3e grad_norm %.4f clips/s %.2f elapsed %s ETA %s%n",
                done, total, epochs, loss, lr, gradNorm, clipsPerS, hms(elapsed()), eta(done));
    }

    public void finish() {
        if (tty) out.println();
    }

    private String eta(long done) {
        long n = done - first;
        if (n <= 0) return "?";
        return hms(elapsed() / n * (total - done));
    }

    static String hms(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
