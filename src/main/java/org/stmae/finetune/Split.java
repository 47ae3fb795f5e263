package org.stmae.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.stmae.video.VideoDataset;

/**
 * A deterministic, stratified hold-out split of a labelled dataset: per class, the videos (in
 * path order) are shuffled with {@code SplittableRandom(seed + class index)} and the first
 * round(fraction x count) go to validation (at least one when the class has two or more videos).
 * The split does not depend on the training seed, so runs with different seeds see the same split.
 */
public record Split(VideoDataset train, VideoDataset val) {
    public static Split holdOut(VideoDataset data, double fraction, long seed) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("val fraction " + fraction + " must be in (0, 1)");
        List<VideoDataset.Entry> train = new ArrayList<>(), val = new ArrayList<>();
        for (int c = 0; c < data.classes().size(); c++) {
            List<VideoDataset.Entry> members = new ArrayList<>();
            for (VideoDataset.Entry e : data.entries()) if (e.label() == c) members.add(e);
            SplittableRandom r = new SplittableRandom(seed + c);
            for (int i = members.size() - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                VideoDataset.Entry t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            int nVal = members.size() < 2 ? 0 : Math.max(1, (int) Math.round(fraction * members.size()));
            for (int i = 0; i < members.size(); i++) (i < nVal ? val : train).add(members.get(i));
        }
        for (VideoDataset.Entry e : data.entries()) if (e.label() < 0) throw new IllegalArgumentException(e.path() + ": no label");
        java.util.Comparator<VideoDataset.Entry> byPath = java.util.Comparator.comparing(VideoDataset.Entry::path);
        train.sort(byPath);
        val.sort(byPath);
        return new Split(new VideoDataset(train, data.classes()), new VideoDataset(val, data.classes()));
    }
}
