package dev.asyncrl.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.cli.AsyncRlCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench command's own checks; the benchmarks themselves are run by hand (they measure, not test). */
class BenchCommandTest {

  record Outcome(int code, String out, String err) {}

  static Outcome run(String... args) {
    PrintStream savedErr = System.err;
    PrintStream savedOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      return new Outcome(AsyncRlCommand.execute(new BenchCommand(), args), out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(savedErr);
      System.setOut(savedOut);
    }
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
