#!/usr/bin/env bash
# Runs every benchmark BENCHMARKS.md reports, ours and PyTorch's, one after the other in one
# session, on JDK 17 (default java) and JDK 25 when installed. Output: CSV blocks to stdout.
#   tools/bench.sh [matmul] [train] [decode]      (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${*:-matmul train decode}
jdk25=/usr/lib/jvm/temurin-25-jdk-amd64
py=/usr/bin/python3
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for w in $what; do
  case $w in
    matmul)
      echo "## matmul, JDK 17"; bin/stmae bench matmul --format csv 2>/dev/null
      [ -x $jdk25/bin/java ] && { echo "## matmul, JDK 25"; JAVA_HOME=$jdk25 bin/stmae bench matmul --kernels vector --format csv 2>/dev/null; }
      echo "## matmul, PyTorch"; $py tools/reference/bench_matmul.py --format csv ;;
    train)
      echo "## train, JDK 17"; bin/stmae bench train --threads 2 --format csv 2>/dev/null
      [ -x $jdk25/bin/java ] && { echo "## train, JDK 25"; JAVA_HOME=$jdk25 bin/stmae bench train --threads 2 --format csv 2>/dev/null; }
      echo "## train, PyTorch"; $py tools/reference/bench_train.py --threads 2
      # The sparse/dense ratio again with both models in one JVM, in blocks taken in turn (8 GB heap for both).
      echo "## train interleaved, JDK 17"; STMAE_HEAP=8g bin/stmae bench train --threads 2 --interleave --format csv 2>/dev/null
      [ -x $jdk25/bin/java ] && { echo "## train interleaved, JDK 25"; JAVA_HOME=$jdk25 STMAE_HEAP=8g bin/stmae bench train --threads 2 --interleave --format csv 2>/dev/null; } ;;
    decode)
      echo "## decode, JDK 17"; bin/stmae bench decode --workers 2 --format csv 2>/dev/null ;;
    *) echo "unknown benchmark $w" >&2; exit 2 ;;
  esac
done
