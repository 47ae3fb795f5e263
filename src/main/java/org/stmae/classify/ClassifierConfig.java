package org.stmae.classify;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.stmae.mae.MaeConfig;

/**
 * A video ViT classifier on the MAE encoder (SPEC.md, classifier): the encoder's config, the
 * classes, the pooling convention, and the regularisers that act inside the forward pass.
 *
 * @param dropout  dropout probability on the pooled feature, before the head (mae_st: 0.3 in its recipe)
 * @param dropPath stochastic-depth rate of the last block; block i gets dropPath * i / (depth - 1)
 */
public record ClassifierConfig(MaeConfig encoder, int numClasses, Pooling pooling, double dropout, double dropPath) {
    /**
     * How tokens become one feature, and how the head starts (reference-semantics §7.2, §7.4, §10).
     * MAE_ST: mean over the patch tokens (the class token, if any, left out), then the pre-trained
     * {@code norm}; no fc_norm; head weight normal(0, 2e-5), bias U(+-1/sqrt(D)). VIDEOMAE: the
     * encoder's {@code norm} is not used; mean over all tokens, then a fresh {@code fc_norm};
     * head weight normal(0, 0.02) x 0.001 (init_scale), bias 0.
     */
    public enum Pooling { MAE_ST, VIDEOMAE;
        public static Pooling parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT).replace("-", "_")) {
                case "mae_st", "maest" -> MAE_ST;
                case "videomae" -> VIDEOMAE;
                default -> throw new IllegalArgumentException("pooling must be mae_st or videomae, got '" + s + "'");
            };
        }

        public String key() {
            return this == MAE_ST ? "mae_st" : "videomae";
        }
    }

    public ClassifierConfig {
        if (numClasses < 1) throw new IllegalArgumentException("classifier: num_classes = " + numClasses + ": must be >= 1");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("classifier: dropout = " + dropout + ": must be in [0, 1)");
        if (!(dropPath >= 0 && dropPath < 1)) throw new IllegalArgumentException("classifier: drop_path = " + dropPath + ": must be in [0, 1)");
    }

    /** timm/mae_st's rule, torch.linspace(0, dropPath, depth)[i]. */
    public double dropPathOf(int block) {
        int depth = encoder.depth();
        return depth <= 1 ? 0 : dropPath * block / (depth - 1);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("num_classes", numClasses);
        m.put("pooling", pooling.key());
        m.put("dropout", dropout);
        m.put("drop_path", dropPath);
        return m;
    }

    public static ClassifierConfig fromMap(MaeConfig encoder, Map<String, Object> m) {
        return new ClassifierConfig(encoder, ((Number) m.get("num_classes")).intValue(), Pooling.parse((String) m.get("pooling")),
                ((Number) m.get("dropout")).doubleValue(), ((Number) m.get("drop_path")).doubleValue());
    }
}
