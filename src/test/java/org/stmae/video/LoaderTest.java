package org.stmae.video;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Datasets, the threaded loader, and bad input (including at least 200 mutated clips). */
class LoaderTest {
    static ClipSampler small() {
        return new ClipSampler(ClipSampler.maeSt().withSize(16).withTemporal(TemporalSampling.maeSt(4, 2)).withRepeat(2));
    }

    @Test
    void datasetsFromFoldersAndListFiles(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("b_cls/sub"));
        Files.createDirectories(dir.resolve("a_cls"));
        Files.copy(TestClips.PATTERN, dir.resolve("a_cls/x.mp4"));
        Files.copy(TestClips.TREE_ODD, dir.resolve("b_cls/sub/y.MOV"));
        Files.writeString(dir.resolve("a_cls/readme.txt"), "not a video");
        VideoDataset all = VideoDataset.folder(dir);
        assertEquals(2, all.size());
        assertEquals(-1, all.get(0).label());
        VideoDataset lab = VideoDataset.labelledFolder(dir);
        assertEquals(List.of("a_cls", "sub"), lab.classes());
        assertEquals(0, lab.get(0).label());
        Path idx = lab.writeClassIndex(dir.resolve("run"));
        assertEquals(lab.classes(), VideoDataset.readClassIndex(idx));
        Files.writeString(dir.resolve("train.csv"), "a_cls/x.mp4 3\n\n# comment\nb_cls/sub/y.MOV 0\n");
        VideoDataset list = VideoDataset.listFile(dir.resolve("train.csv"), null);
        assertEquals(dir.resolve("a_cls/x.mp4"), list.get(0).path());
        assertEquals(3, list.get(0).label());
        assertEquals(4, list.classes().size());
    }

    List<String> run(VideoDataset ds, int workers, long seed) throws Exception {
        List<String> out = new ArrayList<>();
        VideoLoader.Options o = VideoLoader.Options.defaults().withWorkers(workers).withQueue(3).withSeed(seed, 0).withWarnings(null);
        try (VideoLoader l = new VideoLoader(ds, small(), o)) {
            List<Sample> s;
            while ((s = l.next()) != null)
                for (Sample x : s) out.add(x.path().getFileName() + Arrays.toString(x.frames()) + Arrays.hashCode(x.clip().data()));
            assertTrue(l.summary().startsWith("video loader: "));
        }
        return out;
    }

    @Test
    void sameSeedSameDataForAnyWorkerCount() throws Exception {
        VideoDataset ds = new VideoDataset(List.of(new VideoDataset.Entry(TestClips.PATTERN, 0), new VideoDataset.Entry(TestClips.TREE_ODD, 1),
                new VideoDataset.Entry(TestClips.PATTERN, 2), new VideoDataset.Entry(TestClips.TREE_ODD, 3)), List.of());
        List<String> one = run(ds, 1, 5);
        assertEquals(8, one.size());
        assertEquals(one, run(ds, 3, 5));
        assertNotEquals(one, run(ds, 2, 6));
    }

    @Test
    void batchesAreVideoMajorAndThreadsEndOnClose() throws Exception {
        VideoDataset ds = new VideoDataset(List.of(new VideoDataset.Entry(TestClips.PATTERN, 4), new VideoDataset.Entry(TestClips.TREE_ODD, 7),
                new VideoDataset.Entry(TestClips.PATTERN, 1)), List.of());
        // Threads of loaders from other tests in this JVM are not this loader's business.
        java.util.Set<Thread> before = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
        VideoLoader l = new VideoLoader(ds, small(), VideoLoader.Options.defaults().withWorkers(2).withShuffle(false));
        VideoLoader.Batch b = l.nextBatch(2);
        assertArrayEquals(new int[] {4, 3, 4, 16, 16}, b.clips().shape());
        assertArrayEquals(new int[] {4, 4, 7, 7}, b.labels());
        l.close();
        assertTrue(l.terminated());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> !before.contains(t) && t.getName().startsWith("stmae-video-") && t.isAlive()));
    }

    @Test
    void strictStopsAtTheFirstBadFile(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.mp4"), "garbage");
        VideoDataset ds = new VideoDataset(List.of(new VideoDataset.Entry(bad, 0), new VideoDataset.Entry(TestClips.PATTERN, 0)), List.of());
        try (VideoLoader l = new VideoLoader(ds, small(), VideoLoader.Options.defaults().withWorkers(1).withShuffle(false).withStrict(true))) {
            BadVideoException e = assertThrows(BadVideoException.class, l::next);
            assertTrue(e.getMessage().startsWith(bad.toString()));
        }
    }

    @Test
    void tooFewFramesIsReported(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream warn = new ByteArrayOutputStream();
        ClipSampler needs100 = new ClipSampler(ClipSampler.maeSt().withSize(16).withMinFrames(100));
        VideoDataset ds = new VideoDataset(List.of(new VideoDataset.Entry(TestClips.PATTERN, 0)), List.of());
        try (VideoLoader l = new VideoLoader(ds, needs100, VideoLoader.Options.defaults().withWarnings(new PrintStream(warn, true, StandardCharsets.UTF_8)))) {
            assertNull(l.next());
            assertEquals(1, l.skipCounts().get("too few frames"));
        }
        assertTrue(warn.toString(StandardCharsets.UTF_8).startsWith("warning: " + TestClips.PATTERN + ": too few frames: 60"));
    }

    /** Truncations, flipped bytes, zeroed ranges and random bytes: no exception escapes, no hang, every bad one reported once. */
    @Test
    void mutatedClipsNeverStopARun(@TempDir Path dir) throws Exception {
        byte[][] sources = {Files.readAllBytes(TestClips.PATTERN), Files.readAllBytes(TestClips.TREE_ODD)};
        SplittableRandom rng = new SplittableRandom(2024);
        List<VideoDataset.Entry> entries = new ArrayList<>();
        int count = 240;
        for (int i = 0; i < count; i++) {
            byte[] src = sources[i % 5 == 4 ? 1 : 0];
            byte[] m;
            int kind = i % 6;
            switch (kind) {
                case 0 -> m = Arrays.copyOf(src, rng.nextInt(src.length));  // truncated
                case 1, 2 -> {  // flipped bytes
                    m = src.clone();
                    int flips = 1 + rng.nextInt(kind == 1 ? 3 : 40);
                    for (int f = 0; f < flips; f++) m[rng.nextInt(m.length)] ^= (byte) (1 << rng.nextInt(8));
                }
                case 3 -> {  // zeroed range
                    m = src.clone();
                    int a = rng.nextInt(m.length), len = 1 + rng.nextInt(Math.min(2000, m.length - a));
                    Arrays.fill(m, a, a + len, (byte) 0);
                }
                case 4 -> {  // random bytes over a range, header kept
                    m = src.clone();
                    int a = rng.nextInt(m.length), len = 1 + rng.nextInt(Math.min(500, m.length - a));
                    for (int k = 0; k < len; k++) m[a + k] = (byte) rng.nextInt(256);
                }
                default -> {  // pure noise or zero bytes
                    m = new byte[rng.nextInt(3) == 0 ? 0 : rng.nextInt(4000)];
                    for (int k = 0; k < m.length; k++) m[k] = (byte) rng.nextInt(256);
                }
            }
            Path p = dir.resolve(String.format(java.util.Locale.ROOT, "m%03d_kind%d.mp4", i, kind));
            Files.write(p, m);
            entries.add(new VideoDataset.Entry(p, 0));
        }
        ByteArrayOutputStream warn = new ByteArrayOutputStream();
        ClipSampler s = new ClipSampler(ClipSampler.maeSt().withSize(8).withTemporal(TemporalSampling.maeSt(4, 4)).withRepeat(1).withMinFrames(1));
        VideoLoader.Options o = VideoLoader.Options.defaults().withWorkers(2).withTimeout(3_000).withShuffle(false)
                .withWarnings(new PrintStream(warn, true, StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        VideoLoader l = new VideoLoader(new VideoDataset(entries, List.of()), s, o);
        int good = 0;
        while (l.next() != null) good++;
        String summary = l.summary();
        l.close();
        assertEquals(0, l.abandonedThreads(), "a decoder got stuck: " + summary);
        assertTrue(l.terminated());
        String[] lines = warn.toString(StandardCharsets.UTF_8).split("\n");
        int warned = warn.size() == 0 ? 0 : lines.length;
        System.out.printf(java.util.Locale.ROOT, "mutation test: %d mutants, %d decoded, %d reported, %.1f s; %s%n", count, good, warned,
                (System.nanoTime() - t0) / 1e9, summary);
        assertEquals(count, good + l.skipped());
        assertEquals(l.skipped(), warned);
        for (String line : lines)
            if (!line.isEmpty()) assertTrue(line.matches("warning: " + java.util.regex.Pattern.quote(dir.toString()) + "/m\\d{3}_kind\\d\\.mp4: .+"), line);
        assertTrue(l.skipped() >= count / 3, "too few mutants rejected: " + summary);
    }
}
