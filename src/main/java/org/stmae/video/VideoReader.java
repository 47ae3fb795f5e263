package org.stmae.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.jcodec.codecs.h264.H264Decoder;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.common.DemuxerTrackMeta;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.common.io.FileChannelWrapper;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Picture;
import org.jcodec.containers.mp4.MP4TrackType;
import org.jcodec.containers.mp4.demuxer.AbstractMP4DemuxerTrack;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;

/**
 * Decodes H.264 video in MP4/MOV containers with jcodec 0.2.5 into RGB frames in presentation
 * order.
 *
 * <p>{@link #open} parses the container and indexes the video track (one pass over the packets,
 * no pixel decoding): presentation time and key-frame flag of every sample, and from them the
 * presentation order (B-frames are stored in decode order, and jcodec returns pictures in the
 * order it decodes them). It also rejects, with one clear reason, every stream jcodec would
 * decode wrongly (see {@link H264Check}).
 *
 * <p>{@link #read} decodes only what the requested frames need: from the last key frame at or
 * before the earliest requested frame up to the last requested one. Every returned frame owns
 * its pixels (jcodec reuses its picture buffer; we convert to RGB immediately).
 *
 * <p>Every failure, including exceptions thrown from inside jcodec on corrupt data, comes out
 * as a {@link BadVideoException} naming the file and the reason. Not thread-safe: one reader
 * per thread.
 */
public final class VideoReader implements AutoCloseable {
    /** Files up to this size are read into memory (as mae_st reads the raw bytes); larger ones are read from disk. */
    static final long IN_MEMORY_LIMIT = 256L << 20;
    /** Largest frame side we try to decode; larger values come from corrupt headers. */
    static final int MAX_SIDE = 8192;
    /** Slice-level feature checks; switched off only by tests that show why they exist. */
    static boolean SLICE_CHECKS = !Boolean.getBoolean("stmae.video.noSliceChecks");

    private final Path path;
    private final SeekableByteChannel channel;
    private final MP4Demuxer demuxer;
    private final AbstractMP4DemuxerTrack track;
    private final ByteBuffer codecPrivate;
    private final ColorConvert.Matrix matrix;
    private final boolean fullRange;
    private final int codedWidth, codedHeight;
    private final VideoInfo info;
    /** Per decode-order sample: presentation time (seconds) and key-frame flag. */
    private final double[] pts;
    private final boolean[] key;
    /** presToDecode[p] = decode index of the p-th frame in presentation order; decodeToPres its inverse. */
    private final int[] presToDecode, decodeToPres;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    static {
        // jcodec logs broken atoms to stdout; our caller gets the reason through BadVideoException instead.
        org.jcodec.common.logging.Logger.addSink(message -> { });
    }

    private static final java.util.concurrent.atomic.LongAdder DECODED = new java.util.concurrent.atomic.LongAdder();

    /** Pictures decoded by jcodec in this JVM so far, all readers together (for benchmarks). */
    public static long decodedFrames() {
        return DECODED.sum();
    }
    private long timeoutNanos;

    private VideoReader(Path path, SeekableByteChannel channel, MP4Demuxer demuxer, AbstractMP4DemuxerTrack track,
                        ByteBuffer codecPrivate, ColorConvert.Matrix matrix, boolean fullRange, int codedWidth, int codedHeight,
                        VideoInfo info, double[] pts, boolean[] key) {
        this.path = path;
        this.channel = channel;
        this.demuxer = demuxer;
        this.track = track;
        this.codecPrivate = codecPrivate;
        this.matrix = matrix;
        this.fullRange = fullRange;
        this.codedWidth = codedWidth;
        this.codedHeight = codedHeight;
        this.info = info;
        this.pts = pts;
        this.key = key;
        int n = pts.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> pts[a] != pts[b] ? Double.compare(pts[a], pts[b]) : Integer.compare(a, b));
        presToDecode = new int[n];
        decodeToPres = new int[n];
        for (int p = 0; p < n; p++) {
            presToDecode[p] = order[p];
            decodeToPres[order[p]] = p;
        }
    }

    /** Opens a file with no time limit. */
    public static VideoReader open(Path path) throws BadVideoException {
        return open(path, 0);
    }

    /**
     * Opens a file; {@code timeoutMillis > 0} bounds the time spent in this call and in each
     * later {@link #read} call (checked between packets).
     */
    public static VideoReader open(Path path, long timeoutMillis) throws BadVideoException {
        long size;
        try {
            if (Files.isDirectory(path)) throw new BadVideoException(path, "is a directory, not a video file");
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new BadVideoException(path, "no such file");
        } catch (IOException e) {
            throw new BadVideoException(path, "cannot read: " + BadVideoException.describe(e));
        }
        if (size == 0) throw new BadVideoException(path, "empty file (0 bytes)");
        if (size <= IN_MEMORY_LIMIT) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (AccessDeniedException e) {
                throw new BadVideoException(path, "cannot read: permission denied");
            } catch (IOException | OutOfMemoryError e) {
                throw new BadVideoException(path, "cannot read: " + BadVideoException.describe(e));
            }
            return open(path, bytes, timeoutMillis);
        }
        byte[] head = new byte[64];
        SeekableByteChannel ch;
        try {
            FileChannel fc = FileChannel.open(path, StandardOpenOption.READ);
            int got = fc.read(ByteBuffer.wrap(head));
            fc.position(0);
            if (got < head.length) head = Arrays.copyOf(head, Math.max(got, 0));
            ch = new FileChannelWrapper(fc);
        } catch (AccessDeniedException e) {
            throw new BadVideoException(path, "cannot read: permission denied");
        } catch (IOException e) {
            throw new BadVideoException(path, "cannot read: " + BadVideoException.describe(e));
        }
        return openChannel(path, ch, head, size, timeoutMillis);
    }

    /** Opens a video held in memory; {@code path} only names it in messages. */
    public static VideoReader open(Path path, byte[] bytes, long timeoutMillis) throws BadVideoException {
        if (bytes.length == 0) throw new BadVideoException(path, "empty file (0 bytes)");
        String head = sniffContainer(path, Arrays.copyOf(bytes, Math.min(64, bytes.length)));
        String why = Mp4Sanity.check(bytes);
        if (why != null) throw new BadVideoException(path, "corrupt " + head.toUpperCase(Locale.ROOT) + " container: " + why);
        SeekableByteChannel ch = ByteBufferSeekableByteChannel.readFromByteBuffer(ByteBuffer.wrap(bytes));
        return openChannel(path, ch, Arrays.copyOf(bytes, Math.min(64, bytes.length)), bytes.length, timeoutMillis);
    }

    private static VideoReader openChannel(Path path, SeekableByteChannel ch, byte[] head, long size, long timeoutMillis)
            throws BadVideoException {
        long timeoutNanos = timeoutMillis > 0 ? timeoutMillis * 1_000_000L : 0;
        long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : Long.MAX_VALUE;
        try {
            VideoReader r = openUnchecked(path, ch, head, size, deadline);
            r.timeoutNanos = timeoutNanos;
            return r;
        } catch (BadVideoException e) {
            closeQuietly(ch);
            throw e;
        } catch (Throwable t) {  // jcodec throws anything on corrupt input: AIOOBE, NPE, OOM on absurd sizes, ...
            closeQuietly(ch);
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError || t instanceof StackOverflowError)) throw (Error) t;
            throw new BadVideoException(path, "corrupt or unreadable container (" + BadVideoException.describe(t) + ")");
        }
    }

    private static VideoReader openUnchecked(Path path, SeekableByteChannel ch, byte[] head, long size, long deadline)
            throws Exception {
        String container = sniffContainer(path, head);
        MP4Demuxer demuxer = MP4Demuxer.createMP4Demuxer(ch);
        // Pick the first video track by its handler type before asking jcodec for its metadata:
        // jcodec throws on codecs it does not know (HEVC, AV1, ...), and we want to name the codec.
        AbstractMP4DemuxerTrack track = null;
        for (AbstractMP4DemuxerTrack t : demuxer.getTracks())
            if (t.getType() == MP4TrackType.VIDEO) {
                track = t;
                break;
            }
        if (track == null) throw new BadVideoException(path, "no video track in the " + container + " container");
        String fourcc = track.getFourcc();
        if (!"avc1".equals(fourcc) && !"avc3".equals(fourcc))
            throw new BadVideoException(path, "unsupported video codec '" + fourcc + "'" + codecName(fourcc)
                    + "; only H.264 (avc1) in MP4/MOV is supported with jcodec 0.2.5");
        DemuxerTrackMeta meta = track.getMeta();
        long total = track.getFrameCount();
        if (total <= 0) throw new BadVideoException(path, "video track has no frames");
        if (total > size) throw new BadVideoException(path, "corrupt sample table (" + total + " frames in " + size + " bytes)");

        ByteBuffer codecPrivate = meta.getCodecPrivate();
        if (codecPrivate == null) throw new BadVideoException(path, "H.264 track without parameter sets (no avcC box)");
        H264Check check = new H264Check();
        check.addParameterSets(codecPrivate);
        SeqParameterSet sps = check.firstSps();
        if (sps == null) throw new BadVideoException(path, "H.264 track without a sequence parameter set");
        String why = H264Check.unsupported(sps);
        if (why != null) throw new BadVideoException(path, why);
        for (var p : check.pps.values()) {
            why = H264Check.unsupported(p);
            if (why != null) throw new BadVideoException(path, why);
        }
        int mbW = sps.picWidthInMbsMinus1 + 1;
        int mbH = SeqParameterSet.getPicHeightInMbs(sps);
        if (mbW * 16 > MAX_SIDE || mbH * 16 > MAX_SIDE || mbW <= 0 || mbH <= 0)
            throw new BadVideoException(path, "implausible frame size " + mbW * 16 + "x" + mbH * 16 + " in the sequence parameter set");
        int width = mbW * 16, height = mbH * 16;
        if (sps.frameCroppingFlag) {
            width -= 2 * (sps.frameCropLeftOffset + sps.frameCropRightOffset);
            height -= 2 * (sps.frameCropTopOffset + sps.frameCropBottomOffset);
        }
        if (width <= 0 || height <= 0) throw new BadVideoException(path, "invalid cropping window in the sequence parameter set");

        // Index pass: presentation time and key flag per sample, and the slice-level feature checks.
        int n = (int) total;
        double[] pts = new double[n];
        boolean[] key = new boolean[n];
        int got = 0;
        for (; got < n; got++) {
            checkDeadline(path, deadline);
            Packet p = track.nextFrame();
            if (p == null) break;
            pts[got] = p.getPtsD();
            key[got] = p.isKeyFrame();
            // Every frame's first slice header: x264's direct=auto (preset slow and slower) switches
            // between spatial and temporal direct prediction frame by frame.
            why = SLICE_CHECKS ? check.inspect(p.getData()) : null;
            if (why != null) throw new BadVideoException(path, String.format(Locale.ROOT, "%s (first met in frame %d in decode order)", why, got));
        }
        if (got == 0) throw new BadVideoException(path, "video track has no readable frames");
        if (got < n) {
            pts = Arrays.copyOf(pts, got);
            key = Arrays.copyOf(key, got);
        }
        key[0] = true;  // decoding always starts somewhere; a stream whose first sample is not a key frame is corrupt anyway
        double duration = meta.getTotalDuration();
        double fps = duration > 0 ? got / duration : 0;
        if (!(fps > 0) || Double.isInfinite(fps)) fps = estimateFps(pts);
        ColorConvert.Matrix matrix = ColorConvert.Matrix.BT601;
        boolean fullRange = false;
        if (sps.vuiParams != null) {
            if (sps.vuiParams.videoSignalTypePresentFlag) {
                fullRange = sps.vuiParams.videoFullRangeFlag;
                if (sps.vuiParams.colourDescriptionPresentFlag && sps.vuiParams.matrixCoefficients == 1)
                    matrix = ColorConvert.Matrix.BT709;
            }
        }
        String codecName = "h264 " + H264Check.profileName(sps.profileIdc);
        VideoInfo info = new VideoInfo(path, width, height, got, fps, codecName, container);
        return new VideoReader(path, ch, demuxer, track, codecPrivate, matrix, fullRange, mbW * 16, mbH * 16, info, pts, key);
    }

    private static String codecName(String fourcc) {
        if (fourcc == null) return "";
        return switch (fourcc) {
            case "hvc1", "hev1" -> " (HEVC/H.265)";
            case "mp4v" -> " (MPEG-4 Part 2)";
            case "jpeg", "mjpa", "mjpb" -> " (Motion JPEG)";
            case "vp08" -> " (VP8)";
            case "vp09" -> " (VP9)";
            case "av01" -> " (AV1)";
            case "apch", "apcn", "apcs", "apco", "ap4h" -> " (Apple ProRes)";
            case "mp2v", "m2v1", "xdvc" -> " (MPEG-2)";
            default -> "";
        };
    }

    private static double estimateFps(double[] pts) {
        if (pts.length < 2) return 0;
        double[] s = pts.clone();
        Arrays.sort(s);
        double span = s[s.length - 1] - s[0];
        return span > 0 ? (s.length - 1) / span : 0;
    }

    /** Names the container from the first bytes, or says why the file is not one we read. */
    static String sniffContainer(Path path, byte[] h) throws BadVideoException {
        if (h.length >= 8) {
            String box = new String(h, 4, 4, StandardCharsets.ISO_8859_1);
            if (box.equals("ftyp")) {
                String brand = h.length >= 12 ? new String(h, 8, 4, StandardCharsets.ISO_8859_1) : "";
                return brand.equals("qt  ") ? "mov" : "mp4";
            }
            if (box.equals("moov") || box.equals("mdat") || box.equals("free") || box.equals("skip") || box.equals("wide")
                    || box.equals("pnot") || box.equals("uuid"))
                return "mov";
        }
        if (h.length >= 4 && (h[0] & 0xff) == 0x1a && (h[1] & 0xff) == 0x45 && (h[2] & 0xff) == 0xdf && (h[3] & 0xff) == 0xa3)
            throw new BadVideoException(path, "unsupported container: Matroska/WebM (only MP4/MOV are supported with jcodec 0.2.5)");
        if (h.length >= 12 && startsWith(h, 0, "RIFF") && startsWith(h, 8, "AVI "))
            throw new BadVideoException(path, "unsupported container: AVI (only MP4/MOV are supported with jcodec 0.2.5)");
        if (h.length >= 3 && startsWith(h, 0, "FLV"))
            throw new BadVideoException(path, "unsupported container: FLV (only MP4/MOV are supported with jcodec 0.2.5)");
        if (h.length >= 4 && h[0] == 0 && h[1] == 0 && h[2] == 1 && ((h[3] & 0xff) == 0xba || (h[3] & 0xff) == 0xb3))
            throw new BadVideoException(path, "unsupported container: MPEG program stream (only MP4/MOV are supported with jcodec 0.2.5)");
        if (h.length >= 1 && (h[0] & 0xff) == 0x47)
            throw new BadVideoException(path, "unsupported container: MPEG transport stream or unknown (only MP4/MOV are supported with jcodec 0.2.5)");
        if (h.length >= 4 && startsWith(h, 0, "GIF8") || h.length >= 4 && (h[0] & 0xff) == 0x89 && startsWith(h, 1, "PNG")
                || h.length >= 3 && (h[0] & 0xff) == 0xff && (h[1] & 0xff) == 0xd8 && (h[2] & 0xff) == 0xff)
            throw new BadVideoException(path, "not a video file (an image)");
        throw new BadVideoException(path, "not a video file (no MP4/MOV header)");
    }

    private static boolean startsWith(byte[] h, int off, String s) {
        if (h.length < off + s.length()) return false;
        for (int i = 0; i < s.length(); i++) if (h[off + i] != (byte) s.charAt(i)) return false;
        return true;
    }

    private static void checkDeadline(Path path, long deadline) throws BadVideoException {
        if (Thread.currentThread().isInterrupted()) throw new BadVideoException(path, "decoding interrupted");
        if (deadline != Long.MAX_VALUE && System.nanoTime() - deadline > 0)
            throw new BadVideoException(path, "decode timed out");
    }

    public VideoInfo info() {
        return info;
    }

    public Path path() {
        return path;
    }

    public int frameCount() {
        return info.frameCount();
    }

    /** Presentation index of the key frame from which frame {@code p} is decoded (for tests and seeking stats). */
    int keyFrameFor(int p) {
        return decodeToPres[startSample(new int[] {p})];
    }

    /** Decode index of the last key frame that lets every requested frame decode. */
    private int startSample(int[] presIdx) {
        int minDec = Integer.MAX_VALUE;
        double minPts = Double.MAX_VALUE;
        for (int p : presIdx) {
            minDec = Math.min(minDec, presToDecode[p]);
            minPts = Math.min(minPts, pts[presToDecode[p]]);
        }
        for (int d = minDec; d >= 0; d--)
            if (key[d] && pts[d] <= minPts) return d;
        return 0;
    }

    /** Frames {@code start .. start+count-1} in presentation order. */
    public RgbFrame[] readRange(int start, int count) throws BadVideoException {
        int[] idx = new int[count];
        for (int i = 0; i < count; i++) idx[i] = start + i;
        return read(idx);
    }

    /** Every frame of the video. */
    public RgbFrame[] readAll() throws BadVideoException {
        return readRange(0, frameCount());
    }

    /**
     * The frames with the given presentation indices (any order, repeats allowed), decoded from
     * the nearest preceding key frame. The result is parallel to {@code presIdx}.
     */
    public RgbFrame[] read(int[] presIdx) throws BadVideoException {
        Map<Integer, RgbFrame> got = new HashMap<>();
        decode(presIdx, (p, ptsSec, pic) -> got.put(p, new RgbFrame(p, ptsSec, pic.getCroppedWidth(), pic.getCroppedHeight(),
                ColorConvert.toRgb(pic, matrix, fullRange))));
        RgbFrame[] out = new RgbFrame[presIdx.length];
        for (int i = 0; i < presIdx.length; i++) out[i] = got.get(presIdx[i]);
        return out;
    }

    /** The decoded 8-bit 4:2:0 planes (I420: Y, then U, then V; cropped) of the given frames: for bit-exact tests. */
    byte[][] readI420(int[] presIdx) throws BadVideoException {
        Map<Integer, byte[]> got = new HashMap<>();
        decode(presIdx, (p, ptsSec, pic) -> got.put(p, i420(pic)));
        byte[][] out = new byte[presIdx.length][];
        for (int i = 0; i < presIdx.length; i++) out[i] = got.get(presIdx[i]);
        return out;
    }

    private static byte[] i420(Picture pic) {
        org.jcodec.common.model.Rect c = pic.getCrop();
        int x0 = c == null ? 0 : c.getX(), y0 = c == null ? 0 : c.getY();
        int w = pic.getCroppedWidth(), h = pic.getCroppedHeight();
        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        byte[] out = new byte[w * h + 2 * cw * ch];
        int o = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) out[o++] = (byte) (pic.getPlaneData(0)[(y + y0) * pic.getPlaneWidth(0) + x + x0] + 128);
        for (int pl = 1; pl <= 2; pl++)
            for (int y = 0; y < ch; y++)
                for (int x = 0; x < cw; x++)
                    out[o++] = (byte) (pic.getPlaneData(pl)[(y + y0 / 2) * pic.getPlaneWidth(pl) + x + x0 / 2] + 128);
        return out;
    }

    private interface PictureSink {
        void accept(int presIndex, double ptsSeconds, Picture pic);
    }

    /** Decodes from the right key frame to the last requested frame, handing each requested picture to {@code sink}. */
    private void decode(int[] presIdx, PictureSink sink) throws BadVideoException {
        if (presIdx.length == 0) return;
        int n = frameCount();
        for (int p : presIdx)
            if (p < 0 || p >= n) throw new IllegalArgumentException(path + ": frame " + p + " out of range [0, " + n + ")");
        if (timeoutNanos > 0) deadlineNanos = System.nanoTime() + timeoutNanos;
        int start = startSample(presIdx);
        int end = 0;
        boolean[] wanted = new boolean[n];
        for (int p : presIdx) {
            wanted[presToDecode[p]] = true;
            end = Math.max(end, presToDecode[p]);
        }
        int d = start;
        try {
            if (!track.gotoFrame(start)) throw new BadVideoException(path, "cannot seek to frame " + decodeToPres[start]);
            H264Decoder decoder = H264Decoder.createH264DecoderFromCodecPrivate(codecPrivate.duplicate());
            byte[][] buffer = Picture.create(codedWidth, codedHeight, ColorSpace.YUV420).getData();
            for (; d <= end; d++) {
                checkDeadline(path, deadlineNanos);
                Packet packet = track.nextFrame();
                if (packet == null) throw new BadVideoException(path, "truncated: frame " + decodeToPres[d] + " is missing from the file");
                Picture pic = decoder.decodeFrame(packet.getData(), buffer);
                DECODED.increment();
                if (pic == null) throw new BadVideoException(path, "decoder returned no picture for frame " + decodeToPres[d]);
                if (!wanted[d]) continue;
                int w = pic.getCroppedWidth(), h = pic.getCroppedHeight();
                if (w != info.width() || h != info.height())
                    throw new BadVideoException(path, "frame " + decodeToPres[d] + " is " + w + "x" + h + ", expected " + info.width() + "x" + info.height());
                sink.accept(decodeToPres[d], pts[d], pic);
            }
        } catch (BadVideoException e) {
            throw e;
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError || t instanceof StackOverflowError)) throw (Error) t;
            int p = d < decodeToPres.length ? decodeToPres[d] : d;
            throw new BadVideoException(path, String.format(Locale.ROOT, "corrupt H.264 data at frame %d (%s)", p, BadVideoException.describe(t)));
        }
    }

    /** Number of samples decoded to produce {@code presIdx} (what seeking saves). */
    int samplesToDecode(int[] presIdx) {
        int end = 0;
        for (int p : presIdx) end = Math.max(end, presToDecode[p]);
        return end - startSample(presIdx) + 1;
    }

    @Override
    public void close() {
        try {
            demuxer.close();
        } catch (Throwable ignored) {
            // closing a read-only channel cannot lose data
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SeekableByteChannel ch) {
        try {
            ch.close();
        } catch (Throwable ignored) {
            // nothing to do
        }
    }
}
