package org.stmae.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.stmae.tensor.Parallel;
import org.stmae.tensor.VectorKernels;

/** Entry point of {@code bin/stmae}: dispatches to one {@link Command}. */
public final class Main {
    private Main() {}

    /** Every command, in the order {@code stmae --help} lists them. */
    static List<Command> commands() {
        return List.of(
                new PretrainCommand(),
                new ReconstructCommand(),
                new DeflateCommand(),
                new MakeDatasetCommand(),
                new StudyCommand(),
                new FinetuneCommand(),
                new TestCommand(),
                new InfoCommand(),
                new VerifyCommand(),
                new FramesCommand(),
                new BenchCommand(),
                new DevicesCommand());
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Locale.setDefault(Locale.ROOT);
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            printCommands(out);
            return argv.length == 0 ? 2 : 0;
        }
        Command cmd = commands().stream().filter(c -> c.name().equals(argv[0])).findFirst().orElse(null);
        if (cmd == null) {
            err.println("stmae: unknown command '" + argv[0] + "' (stmae --help lists the commands)");
            return 2;
        }
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        try {
            Args args = Args.parse(rest, booleanFlagsOf(cmd));
            if (args.help()) {
                out.println(cmd.usage());
                return 0;
            }
            err.println(startupLine());
            return cmd.run(args);
        } catch (UsageException e) {
            err.println("stmae " + cmd.name() + ": " + e.getMessage() + " (stmae " + cmd.name() + " --help)");
            return 2;
        } catch (Exception e) {
            err.println("stmae " + cmd.name() + ": " + e.getMessage());
            if (System.getenv("STMAE_DEBUG") != null) e.printStackTrace(err);
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("stmae " + cmd.name() + ": out of memory with a heap of at most " + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MB; give it more with STMAE_HEAP (bin/stmae's default is 4g), e.g. STMAE_HEAP=8g");
            return 1;
        }
    }

    /** Commands that take boolean flags declare them by implementing {@link BooleanFlags}. */
    private static String[] booleanFlagsOf(Command cmd) {
        return cmd instanceof BooleanFlags b ? b.booleanFlags() : new String[0];
    }

    /** What runs the numbers: printed once at start-up so a slow run is never a mystery. */
    public static String startupLine() {
        return String.format(Locale.ROOT, "stmae: Java %s (%s), vector %d bits, %d threads",
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                VectorKernels.vectorBits(), Parallel.threads());
    }

    private static void printCommands(PrintStream out) {
        out.println("usage: stmae COMMAND [flags]   (stmae COMMAND --help for its flags)");
        out.println();
        for (Command c : commands()) out.printf(Locale.ROOT, "  %-12s %s%n", c.name(), c.summary());
    }
}
