package dev.asyncrl.launcher;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code asyncrl bench}: placeholder until the benchmarks land in this issue. */
@Command(name = "bench", description = "Run the performance benchmarks.")
final class BenchCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}
