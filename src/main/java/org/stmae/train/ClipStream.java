package org.stmae.train;

import java.util.ArrayList;
import java.util.List;
import org.stmae.tensor.Tensor;
import org.stmae.video.BadVideoException;
import org.stmae.video.ClipSampler;
import org.stmae.video.Sample;
import org.stmae.video.VideoDataset;
import org.stmae.video.VideoLoader;

/**
 * An endless stream of training clips over epochs: each epoch visits every video once in a
 * seeded order (the loader's), and a step takes the next {@code videos} videos, possibly across
 * an epoch boundary. Its position (epoch, videos passed in that epoch) is all a resumed run
 * needs to continue with exactly the same clips.
 */
public final class ClipStream implements AutoCloseable {
    private final VideoDataset dataset;
    private final ClipSampler sampler;
    private final VideoLoader.Options options;
    private VideoLoader loader;
    private int epoch, position;
    private int read, skipped;

    public ClipStream(VideoDataset dataset, ClipSampler sampler, VideoLoader.Options options, int epoch, int position) {
        if (dataset.size() == 0) throw new IllegalArgumentException("no videos to train on");
        this.dataset = dataset;
        this.sampler = sampler;
        this.options = options;
        this.epoch = epoch;
        this.position = position;
        open();
    }

    private void open() {
        loader = new VideoLoader(dataset, sampler, options.withSeed(options.seed(), epoch), position);
    }

    public int epoch() {
        return epoch;
    }

    /** Videos of the current epoch already passed (read or skipped). */
    public int position() {
        return position;
    }

    /** Epochs done, fractional. */
    public double epochs() {
        return epoch + (double) position / dataset.size();
    }

    /** The samples of the next {@code videos} readable videos, stacked video-major: [videos*repeat, C, T, H, W]. */
    public Tensor next(int videos) throws BadVideoException {
        List<Sample> all = new ArrayList<>();
        int emptyEpochs = 0;
        while (all.size() < videos * sampler.config().repeat()) {
            int skippedBefore = loader.skipped();
            List<Sample> s = loader.next();
            if (s == null) {
                if (loader.delivered() == 0 && ++emptyEpochs > 1)
                    throw new IllegalStateException("no video in the data could be read (" + loader.summary() + ")");
                read += loader.delivered();
                skipped += loader.skipped();
                loader.close();
                epoch++;
                position = 0;
                open();
                continue;
            }
            position += 1 + (loader.skipped() - skippedBefore);
            all.addAll(s);
        }
        int per = all.get(0).clip().size();
        int[] shape = all.get(0).clip().shape();
        float[] data = new float[per * all.size()];
        for (int i = 0; i < all.size(); i++) System.arraycopy(all.get(i).clip().data(), 0, data, i * per, per);
        return Tensor.of(data, all.size(), shape[0], shape[1], shape[2], shape[3]);
    }

    /** One line: videos read and skipped over the whole run so far. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "video loader: %d videos read, %d skipped over %.2f epochs (current epoch: %s)",
                read + loader.delivered(), skipped + loader.skipped(), epochs(), loader.summary());
    }

    @Override
    public void close() {
        loader.close();
    }
}
