package org.stmae.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.stmae.plot.Png;

/** Counts of (true class, predicted class), and its picture: rows true, columns predicted, shaded by row share. */
public final class ConfusionMatrix {
    private final List<String> classes;
    private final long[][] counts;

    public ConfusionMatrix(List<String> classes) {
        this.classes = List.copyOf(classes);
        this.counts = new long[classes.size()][classes.size()];
    }

    public void add(int label, int predicted) {
        counts[label][predicted]++;
    }

    public long count(int label, int predicted) {
        return counts[label][predicted];
    }

    public List<String> classes() {
        return classes;
    }

    /** CSV: a header of predicted classes, then one row per true class. */
    public String csv() {
        StringBuilder sb = new StringBuilder("true\\predicted");
        for (String c : classes) sb.append(',').append(c);
        sb.append('\n');
        for (int i = 0; i < classes.size(); i++) {
            sb.append(classes.get(i));
            for (long v : counts[i]) sb.append(',').append(v);
            sb.append('\n');
        }
        return sb.toString();
    }

    public void writePng(Path png, String title) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int k = classes.size(), cell = Math.max(28, Math.min(64, 640 / Math.max(1, k)));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        FontMetrics fm = probe.createGraphics().getFontMetrics(font);
        int label = 16;
        for (String c : classes) label = Math.max(label, fm.stringWidth(c) + 12);
        int left = label + 24, top = label + 48, w = left + k * cell + 20, h = top + k * cell + 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(font.deriveFont(Font.BOLD, 14f));
        g.setColor(Color.BLACK);
        g.drawString(title, 8, 18);
        g.setFont(font);
        g.drawString("predicted \u2192", left, 36);
        g.drawString("true \u2193", 4, top - 6);
        for (int i = 0; i < k; i++) {
            long rowTotal = 0;
            for (long v : counts[i]) rowTotal += v;
            g.setColor(Color.BLACK);
            g.drawString(classes.get(i), left - 8 - fm.stringWidth(classes.get(i)), top + i * cell + cell / 2 + 5);
            var saved = g.getTransform();
            g.translate(left + i * cell + cell / 2 + 5, top - 6);
            g.rotate(-Math.PI / 2);
            g.drawString(classes.get(i), 0, 0);
            g.setTransform(saved);
            for (int j = 0; j < k; j++) {
                double share = rowTotal == 0 ? 0 : (double) counts[i][j] / rowTotal;
                int shade = (int) Math.round(255 * (1 - share));
                g.setColor(i == j ? new Color(shade, 255 - (255 - shade) / 3, shade) : new Color(255, shade, shade));
                g.fillRect(left + j * cell, top + i * cell, cell, cell);
                g.setColor(Color.LIGHT_GRAY);
                g.drawRect(left + j * cell, top + i * cell, cell, cell);
                if (counts[i][j] > 0) {
                    String s = Long.toString(counts[i][j]);
                    g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                    g.drawString(s, left + j * cell + (cell - fm.stringWidth(s)) / 2, top + i * cell + cell / 2 + 5);
                }
            }
        }
        g.dispose();
        Png.write(img, png);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "confusion matrix of %d classes", classes.size());
    }
}
