package org.stmae.cli;

/** One subcommand of {@code bin/stmae}. */
public interface Command {
    /** The word after {@code stmae}, e.g. {@code bench}. */
    String name();

    /** One line for the command list. */
    String summary();

    /** Full usage text printed by {@code --help}. */
    String usage();

    /** Runs the command; the return value is the process exit code. */
    int run(Args args) throws Exception;
}
