package org.stmae.video;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.stmae.tensor.Tensor;

/**
 * Decodes and augments videos on background threads and hands them out in a fixed order.
 *
 * <p>Order and augmentation depend only on the seed, the epoch and the dataset: the videos are
 * visited in a seeded permutation, and video {@code i}'s random numbers come from its own
 * generator seeded by (seed, epoch, i), so the output is the same for any number of workers.
 * At most {@code queue} videos are decoded ahead of the consumer (bounded memory).
 *
 * <p>A bad video never stops a run: it is skipped with one line {@code warning: FILE: reason}
 * and counted in {@link #summary()}; with {@code strict} the first one is thrown instead.
 * Each video has a decode time limit, checked between packets by the reader and, for a
 * decoder stuck inside one packet, by the consumer, which then cancels it. {@link #close}
 * stops and joins every worker.
 */
public final class VideoLoader implements AutoCloseable {
    public enum Mode { TRAIN, TEST }

    /**
     * @param workers decoding threads
     * @param queue videos decoded ahead of the consumer (at least workers)
     * @param timeoutMillis decode time limit per video (0: none)
     */
    public record Options(int workers, int queue, long seed, int epoch, boolean shuffle, boolean strict, long timeoutMillis,
                          Mode mode, int temporalViews, int spatialCrops, PrintStream warnings) {
        public static Options defaults() {
            return new Options(Math.max(1, Runtime.getRuntime().availableProcessors()), 0, 0, 0, true, false, 60_000,
                    Mode.TRAIN, 1, 1, System.err);
        }

        public Options withWorkers(int w) {
            return new Options(w, queue, seed, epoch, shuffle, strict, timeoutMillis, mode, temporalViews, spatialCrops, warnings);
        }

        public Options withQueue(int q) {
            return new Options(workers, q, seed, epoch, shuffle, strict, timeoutMillis, mode, temporalViews, spatialCrops, warnings);
        }

        public Options withSeed(long s, int e) {
            return new Options(workers, queue, s, e, shuffle, strict, timeoutMillis, mode, temporalViews, spatialCrops, warnings);
        }

        public Options withShuffle(boolean b) {
            return new Options(workers, queue, seed, epoch, b, strict, timeoutMillis, mode, temporalViews, spatialCrops, warnings);
        }

        public Options withStrict(boolean b) {
            return new Options(workers, queue, seed, epoch, shuffle, b, timeoutMillis, mode, temporalViews, spatialCrops, warnings);
        }

        public Options withTimeout(long ms) {
            return new Options(workers, queue, seed, epoch, shuffle, strict, ms, mode, temporalViews, spatialCrops, warnings);
        }

        public Options withTest(int temporal, int spatial) {
            return new Options(workers, queue, seed, epoch, shuffle, strict, timeoutMillis, Mode.TEST, temporal, spatial, warnings);
        }

        public Options withWarnings(PrintStream w) {
            return new Options(workers, queue, seed, epoch, shuffle, strict, timeoutMillis, mode, temporalViews, spatialCrops, w);
        }
    }

    /** A batch of clips, video-major ([B * repeat, C, T, H, W]) like mae_st's reshape of [B, repeat, ...]. */
    public record Batch(Tensor clips, int[] labels, Path[] paths) {}

    private record Result(List<Sample> samples, BadVideoException bad) {}

    private final class Task implements java.util.concurrent.Callable<Result> {
        final int position;
        volatile long startNanos;
        Future<Result> future;

        Task(int position) {
            this.position = position;
        }

        @Override
        public Result call() {
            startNanos = System.nanoTime();
            int index = order[position];
            VideoDataset.Entry e = dataset.get(index);
            SplittableRandom rng = new SplittableRandom(mix(opt.seed(), opt.epoch(), index));
            try (VideoReader r = VideoReader.open(e.path(), opt.timeoutMillis())) {
                List<Sample> s = opt.mode() == Mode.TRAIN ? sampler.train(r, e.label(), rng)
                        : sampler.test(r, e.label(), opt.temporalViews(), opt.spatialCrops());
                return new Result(s, null);
            } catch (BadVideoException b) {
                return new Result(null, b);
            } catch (Throwable t) {  // a bug or a jcodec failure we did not anticipate: still one line, still skipped
                if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError || t instanceof StackOverflowError)) throw t;
                return new Result(null, new BadVideoException(e.path(), "unexpected error (" + BadVideoException.describe(t) + ")"));
            }
        }
    }

    private final VideoDataset dataset;
    private final ClipSampler sampler;
    private final Options opt;
    private final int[] order;
    private final java.util.concurrent.ThreadPoolExecutor pool;
    private int abandoned;
    private final ArrayDeque<Task> window = new ArrayDeque<>();
    private final int capacity;
    private int submitted, delivered, skipped;
    private final Map<String, Integer> skipCounts = new LinkedHashMap<>();
    private boolean closed;
    private final List<Thread> threads = new ArrayList<>();

    public VideoLoader(VideoDataset dataset, ClipSampler sampler, Options opt) {
        this(dataset, sampler, opt, 0);
    }

    /**
     * A loader that starts at position {@code start} of the epoch's order (the videos before it
     * are neither decoded nor counted): how a resumed run continues mid-epoch.
     */
    public VideoLoader(VideoDataset dataset, ClipSampler sampler, Options opt, int start) {
        if (opt.workers() < 1) throw new IllegalArgumentException("workers must be >= 1");
        this.dataset = dataset;
        this.sampler = sampler;
        this.opt = opt;
        this.capacity = Math.max(opt.queue() > 0 ? opt.queue() : 2 * opt.workers(), opt.workers());
        int n = dataset.size();
        order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (opt.shuffle()) {  // Fisher-Yates with a generator of its own
            SplittableRandom r = new SplittableRandom(mix(opt.seed(), opt.epoch(), -1));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        AtomicInteger count = new AtomicInteger();
        ThreadFactory tf = run -> {
            Thread t = new Thread(run, "stmae-video-" + count.incrementAndGet());
            t.setDaemon(true);  // a decoder stuck inside jcodec must never keep the JVM alive
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        };
        pool = new java.util.concurrent.ThreadPoolExecutor(opt.workers(), opt.workers(), 0L, TimeUnit.MILLISECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), tf);
        submitted = Math.max(0, Math.min(start, n));
        fill();
    }

    /** SplitMix-style mixing of (seed, epoch, index) into one 64-bit seed. */
    static long mix(long seed, int epoch, int index) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xC2B2AE3D27D4EB4FL + (index + 1L) * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void fill() {
        while (!closed && window.size() < capacity && submitted < order.length) {
            Task t = new Task(submitted++);
            t.future = pool.submit(t);
            window.add(t);
        }
    }

    /**
     * The samples of the next usable video ({@code repeat} training clips, or the test views),
     * or null when the epoch is over. Bad videos are skipped and reported.
     *
     * @throws BadVideoException only in strict mode, for the first bad video
     */
    public List<Sample> next() throws BadVideoException {
        while (true) {
            if (closed) throw new IllegalStateException("loader is closed");
            fill();
            Task t = window.poll();
            if (t == null) return null;
            Result r = await(t);
            fill();
            if (r.bad() == null) {
                delivered++;
                return r.samples();
            }
            skipped++;
            skipCounts.merge(category(r.bad().reason()), 1, Integer::sum);
            if (opt.strict()) throw r.bad();
            if (opt.warnings() != null) opt.warnings().println("warning: " + r.bad().getMessage());
        }
    }

    private Result await(Task t) {
        Path path = dataset.get(order[t.position]).path();
        long limit = opt.timeoutMillis() > 0 ? opt.timeoutMillis() * 1_000_000L * 2 + 1_000_000_000L : Long.MAX_VALUE;
        while (true) {
            try {
                return t.future.get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long s = t.startNanos;
                if (s != 0 && System.nanoTime() - s > limit) {
                    // The reader checks its deadline between packets; getting here means the decoder is stuck inside one.
                    t.future.cancel(true);
                    // That thread may never come back: start a replacement so the other videos keep flowing.
                    abandoned++;
                    pool.setMaximumPoolSize(opt.workers() + abandoned);
                    pool.setCorePoolSize(opt.workers() + abandoned);
                    return new Result(null, new BadVideoException(path, String.format(Locale.ROOT,
                            "decode timed out (no progress for %.1f s; decoder stuck)", limit / 1e9)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + path);
            } catch (CancellationException e) {
                return new Result(null, new BadVideoException(path, "decode cancelled"));
            } catch (ExecutionException e) {
                return new Result(null, new BadVideoException(path, "unexpected error (" + BadVideoException.describe(e.getCause()) + ")"));
            }
        }
    }

    /**
     * Up to {@code videos} videos' samples stacked into one batch, or null when the epoch is
     * over. The tensor is [N, C, T, H, W] with N = videos * repeat (fewer at the end).
     */
    public Batch nextBatch(int videos) throws BadVideoException {
        List<Sample> all = new ArrayList<>();
        for (int v = 0; v < videos; v++) {
            List<Sample> s = next();
            if (s == null) break;
            all.addAll(s);
        }
        if (all.isEmpty()) return null;
        int[] shape = all.get(0).clip().shape();
        int per = all.get(0).clip().size();
        float[] data = new float[per * all.size()];
        int[] labels = new int[all.size()];
        Path[] paths = new Path[all.size()];
        for (int i = 0; i < all.size(); i++) {
            System.arraycopy(all.get(i).clip().data(), 0, data, i * per, per);
            labels[i] = all.get(i).label();
            paths[i] = all.get(i).path();
        }
        return new Batch(Tensor.of(data, all.size(), shape[0], shape[1], shape[2], shape[3]), labels, paths);
    }

    /** Reason categories for the summary. */
    static String category(String reason) {
        String r = reason.toLowerCase(Locale.ROOT);
        if (r.startsWith("empty file")) return "empty";
        if (r.startsWith("no such file") || r.startsWith("cannot read") || r.contains("directory")) return "unreadable";
        if (r.startsWith("not a video")) return "not a video";
        if (r.startsWith("unsupported")) return "unsupported";
        if (r.startsWith("too few frames")) return "too few frames";
        if (r.contains("timed out")) return "timed out";
        if (r.startsWith("truncated")) return "truncated";
        return "corrupt";
    }

    public int delivered() {
        return delivered;
    }

    public int skipped() {
        return skipped;
    }

    /** Skips by category, in the order first met. */
    public Map<String, Integer> skipCounts() {
        return Map.copyOf(skipCounts);
    }

    /** One line: videos read and skipped, with the reasons. */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "video loader: %d videos read, %d skipped", delivered, skipped));
        if (!skipCounts.isEmpty()) {
            sb.append(" (");
            boolean first = true;
            for (var e : skipCounts.entrySet()) {
                if (!first) sb.append(", ");
                sb.append(e.getValue()).append(' ').append(e.getKey());
                first = false;
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** Stops the workers and waits for them (a decoder stuck inside jcodec is abandoned after 5 s; its thread is a daemon). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (Task t : window) t.future.cancel(true);
        window.clear();
        pool.shutdownNow();
        try {
            long deadline = System.nanoTime() + 5_000_000_000L;
            pool.awaitTermination(5, TimeUnit.SECONDS);
            // A terminated pool's last workers may still be on their way out: wait until they are gone.
            List<Thread> mine;
            synchronized (threads) {
                mine = new ArrayList<>(threads);
            }
            for (Thread t : mine) t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Decoder threads given up on because they were stuck inside jcodec (daemon threads; they may keep running). */
    public int abandonedThreads() {
        return abandoned;
    }

    /** True once every worker thread has ended (for tests). */
    public boolean terminated() {
        return pool.isTerminated();
    }
}
