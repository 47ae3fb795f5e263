import java.io.File;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Paired A/B timing of two builds' SGEMM in one JVM: each jar's org.stmae.tensor.Sgemm in its
 * own class loader, samples taken A, B, B, A, ... so that the slow and fast spells of a shared
 * machine fall on both alike. Prints, per shape, each side's median GFLOP/s and the median (and
 * quartiles) of the per-pair ratio B/A. On the 2-vCPU dev VM, where one build's separate runs
 * differ by 30 %, this is what told a 1.2x change from noise.
 *
 * <pre>
 *   taskset -c 1 java --add-modules jdk.incubator.vector -Dstmae.threads=1 tools/SgemmAB.java \
 *       old.jar new.jar 15 12:392:392:64:t:n 1:1568:768:192:n:n
 * </pre>
 * A shape is batch:M:K:N:opA:opB with op t (transposed) or n.
 */
public class SgemmAB {
    public static void main(String[] args) throws Throwable {
        if (args.length < 4) {
            System.err.println("usage: SgemmAB A.jar B.jar PAIRS batch:M:K:N:t|n:t|n ...");
            System.exit(2);
        }
        MethodHandle[] mm = new MethodHandle[2];
        for (int v = 0; v < 2; v++) {
            URLClassLoader cl = new URLClassLoader(new URL[] {new File(args[v]).toURI().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> c = Class.forName("org.stmae.tensor.Sgemm", true, cl);
            mm[v] = MethodHandles.publicLookup().findStatic(c, "matmul", MethodType.methodType(void.class, int.class, boolean.class,
                    boolean.class, int.class, int.class, int.class, float[].class, int.class, int.class, int.class, float[].class,
                    int.class, int.class, int.class, float[].class, int.class, int.class, int.class, boolean.class));
        }
        int pairs = Integer.parseInt(args[2]);
        for (int s = 3; s < args.length; s++) {
            String[] f = args[s].split(":");
            int batch = Integer.parseInt(f[0]), m = Integer.parseInt(f[1]), k = Integer.parseInt(f[2]), n = Integer.parseInt(f[3]);
            boolean tA = f[4].equals("t"), tB = f[5].equals("t");
            float[] a = new float[batch * m * k], b = new float[batch * k * n], c = new float[batch * m * n];
            Random r = new Random(1);
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat();
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat();
            int lda = tA ? m : k, ldb = tB ? k : n;
            double flop = 2.0 * batch * m * n * k;
            int reps = (int) Math.max(1, 2e8 / flop); // ~0.1 s per sample at these speeds
            double[][] g = new double[2][pairs];
            for (int p = -3; p < pairs; p++) // three warm-up pairs
                for (int v0 = 0; v0 < 2; v0++) {
                    int v = (p & 1) == 0 ? v0 : 1 - v0;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++)
                        mm[v].invokeExact(batch, tA, tB, m, n, k, a, 0, lda, m * k, b, 0, ldb, k * n, c, 0, n, m * n, false);
                    if (p >= 0) g[v][p] = flop * reps / (System.nanoTime() - t0);
                }
            double[] ratio = new double[pairs];
            for (int p = 0; p < pairs; p++) ratio[p] = g[1][p] / g[0][p];
            Arrays.sort(ratio);
            Arrays.sort(g[0]);
            Arrays.sort(g[1]);
            System.out.printf(Locale.ROOT, "%-22s A %6.1f  B %6.1f GFLOP/s (medians)  B/A median %.3f  [q1 %.3f q3 %.3f]%n",
                    args[s], g[0][pairs / 2], g[1][pairs / 2], ratio[pairs / 2], ratio[pairs / 4], ratio[3 * pairs / 4]);
        }
    }
}
