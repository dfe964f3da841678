package dev.asyncrl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.cli.Console;
import dev.asyncrl.cli.Console.Outcome;
import org.junit.jupiter.api.Test;

/** The bench command's own checks; the benchmarks themselves are run by hand (they measure, not test). */
class BenchCommandTest {

  static Outcome run(String... args) {
    return Console.run(new BenchCommand(), args);
  }

  @Test
  void aMistypedBenchmarkIsAOneLineUsageError() {
    Outcome o = run("--only", "handof");
    assertEquals(2, o.code(), o.err());
    assertEquals(1, o.err().strip().lines().count(), o.err());
    assertTrue(o.err().startsWith("error: --only must be one of train-step, vcpo-overhead, sampling, handoff"), o.err());
  }

  @Test
  void hasHelp() {
    Outcome o = run("--help");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().startsWith("Usage: asyncrl bench"), o.out());
  }
}
