package org.stmae.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A plain line chart written as PNG with Java2D (headless): title, labelled axes with "nice"
 * ticks, one or more series (optionally with error bars), and a legend.
 */
public final class LineChart {
    /** One series: x, y and optional symmetric error bars (null for none). */
    public record Series(String name, double[] x, double[] y, double[] err) {}

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logY;
    private String[] categories;

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LineChart add(String name, double[] x, double[] y) {
        return add(name, x, y, null);
    }

    public LineChart add(String name, double[] x, double[] y, double[] err) {
        if (x.length != y.length) throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
        series.add(new Series(name, x, y, err));
        return this;
    }

    /** Plot y on a log10 axis (all values must be positive). */
    public LineChart logY(boolean on) {
        this.logY = on;
        return this;
    }

    /**
     * Names the x positions 0..n-1 instead of numbering the axis: for variants that have no
     * order (masking types). Series then use x = the category's index.
     */
    public LineChart categories(String... names) {
        this.categories = names.clone();
        return this;
    }

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
            new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75)};

    public BufferedImage render(int width, int height) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 80, right = 20, top = 40, bottom = 55;
        int pw = width - left - right, ph = height - top - bottom;

        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY, ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.y[i])) continue;
                double e = s.err == null ? 0 : s.err[i];
                xmin = Math.min(xmin, s.x[i]);
                xmax = Math.max(xmax, s.x[i]);
                ymin = Math.min(ymin, ty(s.y[i] - e));
                ymax = Math.max(ymax, ty(s.y[i] + e));
            }
        if (!(xmax >= xmin)) { xmin = 0; xmax = 1; ymin = 0; ymax = 1; }
        if (categories != null) { xmin = -0.5; xmax = categories.length - 0.5; }
        if (xmax == xmin) { xmin -= 0.5; xmax += 0.5; }
        if (ymax == ymin) { ymin -= 0.5; ymax += 0.5; }
        double[] xt = categories != null ? indices(categories.length) : ticks(xmin, xmax), yt = ticks(ymin, ymax);
        if (categories == null) {
            xmin = Math.min(xmin, xt[0]);
            xmax = Math.max(xmax, xt[xt.length - 1]);
        }
        ymin = Math.min(ymin, yt[0]);
        ymax = Math.max(ymax, yt[yt.length - 1]);
        final double x0 = xmin, x1 = xmax, y0 = ymin, y1 = ymax;
        java.util.function.DoubleUnaryOperator px = v -> left + (v - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator py = v -> top + ph - (ty(v) - y0) / (y1 - y0) * ph;

        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        // Grid and ticks.
        for (double t : xt) {
            int x = (int) Math.round(left + (t - x0) / (x1 - x0) * pw);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            String s = categories != null ? categories[(int) t] : fmt(t);
            g.drawString(s, x - fm.stringWidth(s) / 2, top + ph + 16);
        }
        for (double t : yt) {
            int y = (int) Math.round(top + ph - (t - y0) / (y1 - y0) * ph);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            String s = fmt(logY ? Math.pow(10, t) : t);
            g.drawString(s, left - 6 - fm.stringWidth(s), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);
        // Labels.
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, left + (pw - g.getFontMetrics().stringWidth(title)) / 2, 24);
        g.setFont(small);
        g.drawString(xLabel, left + (pw - fm.stringWidth(xLabel)) / 2, height - 14);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel + (logY ? " (log scale)" : ""), -(top + ph / 2 + fm.stringWidth(yLabel) / 2), 18);
        g.setTransform(saved);
        // Series.
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            g.setColor(PALETTE[k % PALETTE.length]);
            g.setStroke(new BasicStroke(1.8f));
            Path2D path = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < s.x.length; i++) {
                if (!Double.isFinite(s.y[i])) continue;
                double x = px.applyAsDouble(s.x[i]), y = py.applyAsDouble(s.y[i]);
                if (!started) path.moveTo(x, y);
                else path.lineTo(x, y);
                started = true;
                if (s.err != null) {
                    double ya = py.applyAsDouble(s.y[i] - s.err[i]), yb = py.applyAsDouble(s.y[i] + s.err[i]);
                    g.drawLine((int) x, (int) ya, (int) x, (int) yb);
                    g.drawLine((int) x - 4, (int) ya, (int) x + 4, (int) ya);
                    g.drawLine((int) x - 4, (int) yb, (int) x + 4, (int) yb);
                }
                if (s.x.length <= 30) g.fillOval((int) x - 3, (int) y - 3, 6, 6);
            }
            g.draw(path);
            int legend = 40;
            for (Series t : series) legend = Math.max(legend, fm.stringWidth(t.name) + 40);
            int lx = left + pw - legend - 6;
            g.drawLine(lx, top + 14 + 16 * k, lx + 20, top + 14 + 16 * k);
            g.setColor(Color.BLACK);
            g.drawString(s.name, lx + 26, top + 18 + 16 * k);
        }
        g.dispose();
        return img;
    }

    private double ty(double v) {
        return logY ? Math.log10(Math.max(v, 1e-30)) : v;
    }

    public void write(Path png, int width, int height) throws IOException {
        Png.write(render(width, height), png);
    }

    private static double[] indices(int n) {
        double[] r = new double[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    /** About five round tick values covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double span = hi - lo, raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = mag;
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            step = m * mag;
            if (span / step <= 6) break;
        }
        double first = Math.floor(lo / step) * step;
        List<Double> t = new ArrayList<>();
        for (double v = first; v <= hi + step * 0.999; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        double[] r = new double[t.size()];
        for (int i = 0; i < r.length; i++) r[i] = t.get(i);
        return r;
    }

    static String fmt(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 1e5 || a < 1e-3) return String.format(Locale.ROOT, "%.1e", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        String s = String.format(Locale.ROOT, "%.3f", v);
        return s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
}
