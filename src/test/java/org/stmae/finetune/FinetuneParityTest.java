package org.stmae.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.stmae.autograd.Parameter;
import org.stmae.autograd.SoftCrossEntropy;
import org.stmae.autograd.Var;
import org.stmae.classify.ClassifierConfig;
import org.stmae.classify.VideoClassifier;
import org.stmae.io.Json;
import org.stmae.io.Safetensors;
import org.stmae.mae.MaeConfig;
import org.stmae.tensor.IntTensor;
import org.stmae.tensor.Tensor;

/**
 * The classifier, its loss and gradients, the layer-decay groups and a mixup and a cutmix batch
 * against PyTorch (tools/reference/finetune_reference.py), within the dump format's tolerance
 * max|a - b| <= 1e-4 * max(1e-3, max|b|).
 */
class FinetuneParityTest {
    static final Path DIR = Path.of("testdata", "fixtures", "finetune");

    static void close(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double max = 0, diff = 0;
        for (int i = 0; i < expected.size(); i++) {
            max = Math.max(max, Math.abs(expected.data()[i]));
            diff = Math.max(diff, Math.abs(expected.data()[i] - actual.data()[i]));
        }
        double tol = 1e-4 * Math.max(1e-3, max);
        assertTrue(diff <= tol, what + ": max diff " + diff + " > " + tol);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"finetune-maest", "finetune-videomae"})
    void forwardLossAndGradientsMatchPyTorch(String name) throws Exception {
        try (Safetensors f = Safetensors.open(DIR.resolve(name + ".safetensors"))) {
            MaeConfig m = MaeConfig.fromMap(Json.parseObject(f.metadata().get("config")));
            var cfg = new ClassifierConfig(m, Integer.parseInt(f.metadata().get("num_classes")),
                    ClassifierConfig.Pooling.parse(f.metadata().get("pooling")), 0.3, 0.2);
            VideoClassifier model = new VideoClassifier(cfg);
            for (Parameter p : model.params.all()) model.params.load(p.name, f.floatTensor(p.name));
            Var logits = model.forward(f.floatTensor("input"), null);  // evaluation mode: dropout and drop path off
            close("logits", f.floatTensor("logits"), logits.value);
            Var loss = SoftCrossEntropy.softCrossEntropy(logits, f.floatTensor("targets"));
            close("loss", f.floatTensor("loss"), loss.value);
            loss.backward();
            int compared = 0;
            for (Parameter p : model.params.all()) {
                close("grad." + p.name, f.floatTensor("grad." + p.name), p.grad());
                compared++;
            }
            assertEquals(f.names().stream().filter(n -> n.startsWith("grad.")).count(), compared, "every PyTorch parameter has ours");
        }
    }

    @Test
    void mixupCutmixAndTargetsMatchPyTorch() throws Exception {
        try (Safetensors f = Safetensors.open(DIR.resolve("finetune-mixup.safetensors"))) {
            Map<String, String> meta = f.metadata();
            IntTensor lab = f.intTensor("labels");
            int[] labels = lab.data;
            int k = Integer.parseInt(meta.get("num_classes"));
            double s = Double.parseDouble(meta.get("smoothing"));

            Tensor x = f.floatTensor("input");
            var mixed = Mixup.mix(x, Double.parseDouble(meta.get("mixup_lam")), null);
            close("mixup.input", f.floatTensor("mixup.input"), x);
            close("mixup.targets", f.floatTensor("mixup.targets"), Mixup.targets(labels, k, mixed.lam(), s));

            Tensor y = f.floatTensor("input");
            List<Object> c = castList(Json.parse(meta.get("cutmix_center")));
            int[] box = Mixup.box(y.size(3), y.size(4), Double.parseDouble(meta.get("cutmix_lam")), ((Number) c.get(0)).intValue(),
                    ((Number) c.get(1)).intValue());
            List<Object> expectedBox = castList(Json.parse(meta.get("cutmix_box")));
            for (int i = 0; i < 4; i++) assertEquals(((Number) expectedBox.get(i)).intValue(), box[i], "cutmix box " + i);
            var cut = Mixup.mix(y, 0.6, box);
            assertEquals(Double.parseDouble(meta.get("cutmix_lam_corrected")), cut.lam(), 1e-12);
            close("cutmix.input", f.floatTensor("cutmix.input"), y);
            close("cutmix.targets", f.floatTensor("cutmix.targets"), Mixup.targets(labels, k, cut.lam(), s));
        }
    }

    @Test
    void layerDecayGroupsMatchPyTorch() throws Exception {
        try (Safetensors f = Safetensors.open(DIR.resolve("finetune-mixup.safetensors"))) {
            Map<String, String> meta = f.metadata();
            MaeConfig m = MaeConfig.fromMap(Json.parseObject(meta.get("config")));
            VideoClassifier model = new VideoClassifier(new ClassifierConfig(m, 5, ClassifierConfig.Pooling.MAE_ST, 0, 0));
            double decay = Double.parseDouble(meta.get("layer_decay"));
            Map<String, Object> groups = Json.parseObject(meta.get("param_groups"));
            List<Parameter> params = model.params.all();
            Map<String, Double> scales = LayerDecay.scales(params, m.depth(), decay);
            var noDecay = LayerDecay.noWeightDecay(params);
            List<String> names = new ArrayList<>();
            for (Parameter p : params) names.add(p.name);
            assertEquals(new java.util.TreeSet<>(groups.keySet()), new java.util.TreeSet<>(names), "parameter names");
            for (Parameter p : params) {
                List<Object> g = castList(groups.get(p.name));
                assertEquals(((Number) g.get(0)).doubleValue(), scales.get(p.name), 1e-12, "lr scale of " + p.name);
                assertEquals(((Number) g.get(1)).doubleValue() == 0, noDecay.contains(p.name), "weight decay of " + p.name);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static List<Object> castList(Object o) {
        return (List<Object>) o;
    }
}
