package org.stmae.video;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.decode.SliceHeaderReader;
import org.jcodec.codecs.h264.io.model.NALUnit;
import org.jcodec.codecs.h264.io.model.NALUnitType;
import org.jcodec.codecs.h264.io.model.PictureParameterSet;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.SliceHeader;
import org.jcodec.codecs.h264.io.model.SliceType;
import org.jcodec.common.io.BitReader;
import org.jcodec.common.model.ColorSpace;

/**
 * Finds the H.264 features jcodec 0.2.5 decodes wrongly or not at all, before any pixel is
 * decoded, so that such a file gets one clear error instead of garbage frames.
 *
 * <p>From the sequence parameter set: bit depth above 8 (High 10 and up), chroma other than
 * 4:2:0 (High 4:2:2, High 4:4:4), interlaced coding (frame_mbs_only_flag 0: field pictures or
 * MBAFF). From the picture parameter set: slice groups (FMO) and weighted bi-prediction modes.
 * From B-slice headers: temporal direct prediction (direct_spatial_mv_pred_flag 0, x264's
 * {@code direct=temporal}, used by its slower presets). From P/B-slice headers:
 * deblocking switched off (x264's {@code --preset ultrafast}), which jcodec 0.2.5 mishandles.
 */
final class H264Check {
    final Map<Integer, SeqParameterSet> sps = new HashMap<>();
    final Map<Integer, PictureParameterSet> pps = new HashMap<>();
    private boolean sawB;

    /** Reads the SPS/PPS NAL units of an Annex B buffer (codec private data). */
    void addParameterSets(ByteBuffer annexB) {
        ByteBuffer buf = annexB.duplicate();
        ByteBuffer nal;
        while ((nal = H264Utils.nextNALUnit(buf)) != null) {
            if (!nal.hasRemaining()) continue;
            NALUnit nu = NALUnit.read(nal);
            if (nu.type == NALUnitType.SPS) {
                SeqParameterSet s = H264Utils.readSPS(nal);
                sps.put(s.seqParameterSetId, s);
            } else if (nu.type == NALUnitType.PPS) {
                ByteBuffer d = nal.duplicate();
                H264Utils.unescapeNAL(d);
                PictureParameterSet p = PictureParameterSet.read(d);
                pps.put(p.picParameterSetId, p);
            }
        }
    }

    /** The first SPS, or null. */
    SeqParameterSet firstSps() {
        return sps.isEmpty() ? null : sps.values().iterator().next();
    }

    /** Why jcodec cannot decode a stream with this SPS, or null when it can. */
    static String unsupported(SeqParameterSet s) {
        // jcodec 0.2.5 misreads parts of High 4:4:4 parameter sets, so the profile decides first.
        if (s.profileIdc == 244 || s.profileIdc == 44)
            return "unsupported H.264 feature: 4:4:4 chroma (profile " + profileName(s.profileIdc) + "); jcodec 0.2.5 decodes 4:2:0 only, re-encode with -pix_fmt yuv420p";
        if (s.profileIdc == 122)
            return "unsupported H.264 feature: High 4:2:2 profile; jcodec 0.2.5 decodes 8-bit 4:2:0 only, re-encode with -pix_fmt yuv420p";
        if (s.profileIdc == 110)
            return "unsupported H.264 feature: High 10 profile (10-bit samples); jcodec 0.2.5 decodes 8-bit only, re-encode with -pix_fmt yuv420p";
        if (s.bitDepthLumaMinus8 != 0 || s.bitDepthChromaMinus8 != 0)
            return String.format(java.util.Locale.ROOT,
                    "unsupported H.264 feature: %d-bit samples (profile %s); jcodec 0.2.5 decodes 8-bit only, re-encode with -pix_fmt yuv420p",
                    8 + Math.max(s.bitDepthLumaMinus8, s.bitDepthChromaMinus8), profileName(s.profileIdc));
        if (s.chromaFormatIdc != ColorSpace.YUV420 && s.chromaFormatIdc != ColorSpace.YUV420J)
            return "unsupported H.264 feature: " + chromaName(s.chromaFormatIdc) + " chroma (profile " + profileName(s.profileIdc)
                    + "); jcodec 0.2.5 decodes 4:2:0 only, re-encode with -pix_fmt yuv420p";
        if (!s.frameMbsOnlyFlag)
            return "unsupported H.264 feature: interlaced coding (field pictures / MBAFF); jcodec 0.2.5 decodes progressive frames only";
        if (s.separateColourPlaneFlag)
            return "unsupported H.264 feature: separate colour planes";
        return null;
    }

    /** Why jcodec cannot decode a stream with this PPS, or null when it can. */
    static String unsupported(PictureParameterSet p) {
        if (p.numSliceGroupsMinus1 > 0) return "unsupported H.264 feature: slice groups (FMO, Extended/Baseline option)";
        return null;
    }

    /**
     * Inspects the first slice header of one Annex B access unit. Returns the reason the
     * stream cannot be decoded, or null. Parameter sets met on the way are remembered.
     */
    String inspect(ByteBuffer annexB) {
        ByteBuffer buf = annexB.duplicate();
        ByteBuffer nal;
        while ((nal = H264Utils.nextNALUnit(buf)) != null) {
            if (!nal.hasRemaining()) continue;
            ByteBuffer d = nal.duplicate();
            NALUnit nu = NALUnit.read(d);
            if (nu.type == NALUnitType.SPS || nu.type == NALUnitType.PPS) {
                ByteBuffer one = ByteBuffer.allocate(nal.remaining() + 4);
                one.putInt(1).put(nal.duplicate()).flip();
                addParameterSets(one);
                continue;
            }
            if (nu.type != NALUnitType.IDR_SLICE && nu.type != NALUnitType.NON_IDR_SLICE) continue;
            H264Utils.unescapeNAL(d);
            BitReader r = BitReader.createBitReader(d);
            SliceHeader sh = SliceHeaderReader.readPart1(r);
            PictureParameterSet p = pps.get(sh.picParameterSetId);
            if (p == null) return null;  // decoding will fail and say so
            SeqParameterSet s = sps.get(p.seqParameterSetId);
            if (s == null) return null;
            String why = unsupported(s);
            if (why == null) why = unsupported(p);
            if (why != null) return why;
            SliceHeaderReader.readPart2(sh, nu, s, p, r);
            if (sh.sliceType == SliceType.B) {
                sawB = true;
                if (!sh.directSpatialMvPredFlag)
                    return "unsupported H.264 feature: temporal direct prediction in B slices (x264 direct=temporal, or direct=auto as in presets slow/slower/veryslow); jcodec 0.2.5 decodes it wrongly";
            }
            if (sh.disableDeblockingFilterIdc == 1)
                return "unsupported H.264 feature: deblocking filter disabled (x264 --preset ultrafast or --no-deblock); jcodec 0.2.5 decodes it wrongly";
            return null;
        }
        return null;
    }

    boolean sawB() {
        return sawB;
    }

    static String profileName(int idc) {
        return switch (idc) {
            case 66 -> "Baseline";
            case 77 -> "Main";
            case 88 -> "Extended";
            case 100 -> "High";
            case 110 -> "High 10";
            case 122 -> "High 4:2:2";
            case 244 -> "High 4:4:4";
            case 44 -> "CAVLC 4:4:4";
            default -> "profile_idc " + idc;
        };
    }

    private static String chromaName(ColorSpace c) {
        if (c == ColorSpace.YUV422 || c == ColorSpace.YUV422J) return "4:2:2";
        if (c == ColorSpace.YUV444 || c == ColorSpace.YUV444J) return "4:4:4";
        if (c == ColorSpace.MONO || c == ColorSpace.GREY) return "monochrome (4:0:0)";
        return String.valueOf(c);
    }
}
