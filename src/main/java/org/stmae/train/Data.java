package org.stmae.train;

import org.stmae.mae.MaeConfig;
import org.stmae.video.ClipSampler;
import org.stmae.video.TemporalSampling;

/** The clip sampling a model is trained with: its size and frames, and the matching normalisation. */
public final class Data {
    private Data() {}

    /**
     * mae_st's pipeline (linspace sampling, random resized crop, flip, 0.45/0.225) unless the
     * model targets VideoMAE's convention or {@code sampling} is "videomae" (exact stride, ImageNet
     * statistics, no flip).
     */
    public static ClipSampler sampler(MaeConfig m, int samplingRate, int repeat, String sampling) {
        boolean videoMae = sampling.equals("videomae");
        ClipSampler.Config base = videoMae ? ClipSampler.videoMae() : ClipSampler.maeSt();
        TemporalSampling t = videoMae ? TemporalSampling.videoMae(m.numFrames(), samplingRate) : TemporalSampling.maeSt(m.numFrames(), samplingRate);
        return new ClipSampler(base.withTemporal(t).withSize(m.imgSize()).withRepeat(repeat));
    }
}
