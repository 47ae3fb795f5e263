package org.stmae.video;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding against ffmpeg's frames (testdata/make_expected.sh), order, seeking, and the unsupported cases. */
class VideoReaderTest {
    static Stream<Path> clips() {
        return TestClips.clips().stream();
    }

    @ParameterizedTest
    @MethodSource("clips")
    void decodedPlanesAreBitExactWithFfmpeg(Path clip) throws Exception {
        List<String> expected = Files.readAllLines(TestClips.CLIPS.resolve("expected/" + clip.getFileName() + ".frames.sha256"));
        try (VideoReader r = VideoReader.open(clip)) {
            assertEquals(expected.size(), r.frameCount(), clip + ": frame count differs from ffmpeg's");
            int[] all = new int[r.frameCount()];
            for (int i = 0; i < all.length; i++) all[i] = i;
            byte[][] yuv = r.readI420(all);
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < all.length; i++)
                assertEquals(expected.get(i), HexFormat.of().formatHex(md.digest(yuv[i])), clip + ": frame " + i + " differs from ffmpeg's");
        }
    }

    @ParameterizedTest
    @MethodSource("clips")
    void rgbIsWithinTwoLevelsOfFfmpeg(Path clip) throws Exception {
        String[] where = Files.readString(TestClips.CLIPS.resolve("expected/" + clip.getFileName() + ".mid.txt")).trim().split(" ");
        int frame = Integer.parseInt(where[0]), x0 = Integer.parseInt(where[1]), y0 = Integer.parseInt(where[2]);
        BufferedImage ref = ImageIO.read(TestClips.CLIPS.resolve("expected/" + clip.getFileName() + ".mid.png").toFile());
        try (VideoReader r = VideoReader.open(clip)) {
            RgbFrame f = r.read(new int[] {frame})[0];
            double sum = 0;
            int max = 0;
            for (int y = 0; y < ref.getHeight(); y++)
                for (int x = 0; x < ref.getWidth(); x++) {
                    int rgb = ref.getRGB(x, y);
                    for (int c = 0; c < 3; c++) {
                        int d = Math.abs(((rgb >> (16 - 8 * c)) & 0xff) - f.get(c, y0 + y, x0 + x));
                        sum += d;
                        max = Math.max(max, d);
                    }
                }
            double mad = sum / (3.0 * ref.getWidth() * ref.getHeight());
            System.out.printf(Locale.ROOT, "jcodec vs ffmpeg rgb24 %s frame %d: mean abs diff %.3f, max %d (0-255)%n", clip.getFileName(), frame, mad, max);
            assertTrue(mad <= 2.0, clip + ": mean abs diff " + mad + " > 2");
        }
    }

    @Test
    void infoOfOddSizesAndAudioFirst() throws Exception {
        try (VideoReader r = VideoReader.open(TestClips.MEGAMIND)) {
            assertEquals(720, r.info().width());
            assertEquals(528, r.info().height());
            assertEquals(60, r.frameCount());
            assertEquals(23.976, r.info().fps(), 0.01);
        }
        try (VideoReader r = VideoReader.open(TestClips.TREE_ODD)) {
            assertEquals(318, r.info().width());
            assertEquals(178, r.info().height());
            assertEquals("mov", r.info().container());
            RgbFrame f = r.readRange(3, 1)[0];
            assertEquals(318 * 178 * 3, f.rgb().length);
            assertEquals(3, f.toTensor().size(0));
        }
    }

    /** The pattern clip's frame i is RGB grey 16 + 4i (ffmpeg geq), with B-frames and a key frame every 10. */
    @Test
    void framesComeInPresentationOrder() throws Exception {
        try (VideoReader r = VideoReader.open(TestClips.PATTERN)) {
            RgbFrame[] all = r.readAll();
            for (int i = 0; i < all.length; i++) {
                double expected = 16 + 4 * i;
                assertEquals(expected, mean(all[i]), 1.0, "frame " + i);
                assertEquals(i, all[i].index());
                if (i > 0) assertTrue(all[i].pts() > all[i - 1].pts(), "pts not increasing at " + i);
            }
        }
    }

    @Test
    void seekingStartsAtTheNearestKeyFrame() throws Exception {
        try (VideoReader r = VideoReader.open(TestClips.PATTERN)) {
            RgbFrame[] all = r.readAll();
            for (int p : new int[] {0, 9, 10, 37, 55, 59}) {
                assertTrue(r.samplesToDecode(new int[] {p}) <= 13, "frame " + p + " decodes " + r.samplesToDecode(new int[] {p}) + " samples");
                assertTrue(r.keyFrameFor(p) <= p && p - r.keyFrameFor(p) < 13);
                RgbFrame f = r.read(new int[] {p})[0];
                assertArrayEquals(all[p].rgb(), f.rgb(), "frame " + p + " differs when seeking");
            }
            long before = VideoReader.decodedFrames();
            r.read(new int[] {57});
            assertTrue(VideoReader.decodedFrames() - before < 20, "seek decoded from the start");
            // repeated and unordered indices come back parallel to the request, as separate copies of the pixels
            RgbFrame[] got = r.read(new int[] {41, 12, 41});
            assertEquals(41, got[0].index());
            assertEquals(12, got[1].index());
            assertNotSame(all[41].rgb(), got[0].rgb());
        }
    }

    @Test
    void everyUnsupportedFileGetsOneClearReason() {
        String[][] cases = {
            {"h264_10bit.mp4", "10-bit"}, {"h264_422.mp4", "4:2:2"}, {"h264_444.mp4", "4:4:4"},
            {"h264_interlaced.mp4", "interlaced"}, {"h264_temporal_direct.mp4", "temporal direct"},
            {"h264_ultrafast.mp4", "deblocking filter disabled"}, {"hevc.mp4", "HEVC"}, {"mjpeg.mov", "Motion JPEG"},
            {"mpeg4_part2.mp4", "MPEG-4 Part 2"}, {"mkv_h264.mkv", "Matroska"}, {"vp8.webm", "Matroska/WebM"}, {"h264.avi", "AVI"},
        };
        for (String[] c : cases) {
            Path p = TestClips.UNSUPPORTED.resolve(c[0]);
            BadVideoException e = assertThrows(BadVideoException.class, () -> {
                try (VideoReader r = VideoReader.open(p)) {
                    r.readAll();
                }
            }, c[0]);
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void emptyMissingAndNonVideoFiles(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));
        Path text = Files.writeString(dir.resolve("notes.mp4"), "hello, not a video\n");
        assertTrue(assertThrows(BadVideoException.class, () -> VideoReader.open(empty)).reason().startsWith("empty file"));
        assertTrue(assertThrows(BadVideoException.class, () -> VideoReader.open(text)).reason().startsWith("not a video"));
        assertTrue(assertThrows(BadVideoException.class, () -> VideoReader.open(dir.resolve("nope.mp4"))).reason().startsWith("no such file"));
        assertTrue(assertThrows(BadVideoException.class, () -> VideoReader.open(dir)).reason().contains("directory"));
    }

    static double mean(RgbFrame f) {
        long s = 0;
        for (byte b : f.rgb()) s += b & 0xff;
        return (double) s / f.rgb().length;
    }

    static Stream<Arguments> none() {
        return Stream.empty();
    }
}
