package org.stmae.cli;

/** {@code stmae bench WHAT}: performance tables (matmul for now). */
final class BenchCommand implements Command {
    public String name() { return "bench"; }
    public String summary() { return "benchmarks: matmul"; }
    public String usage() { return "usage: stmae bench matmul [--threads N] [--format table|csv]"; }
    public int run(Args args) {
        throw new UsageException("not yet");
    }
}
