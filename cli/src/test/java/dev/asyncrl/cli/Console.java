package dev.asyncrl.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs a command in this JVM, as {@code main} would, with its standard output and error captured. */
public final class Console {
  private Console() {}

  /** The exit code and what the command printed. */
  public record Outcome(int code, String out, String err) {}

  /** {@code asyncrl ARGS}. */
  static Outcome asyncrl(String... args) {
    return run(new AsyncRlCommand(), args);
  }

  /** {@code command} (a picocli command object) with {@code args}, through {@link AsyncRlCommand#execute}. */
  public static Outcome run(Object command, String... args) {
    PrintStream savedErr = System.err;
    PrintStream savedOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      return new Outcome(AsyncRlCommand.execute(command, args), out.toString(StandardCharsets.UTF_8),
          err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(savedErr);
      System.setOut(savedOut);
    }
  }
}
