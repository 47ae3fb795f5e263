package org.stmae.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** One in-process {@code stmae} invocation: exit code, stdout, and stderr without the start-up and library warning lines. */
record CliRun(int rc, String out, List<String> err) {
    static CliRun of(String... argv) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        PrintStream so = System.out, se = System.err;
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int rc = Main.run(argv, System.out, System.err);
            List<String> err = e.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("stmae: Java") && !l.startsWith("WARNING")).toList();
            return new CliRun(rc, o.toString(StandardCharsets.UTF_8), err);
        } finally {
            System.setOut(so);
            System.setErr(se);
        }
    }

    String errText() {
        return err.isEmpty() ? "" : String.join("\n", err) + "\n";
    }
}
