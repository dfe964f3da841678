package dev.asyncrl.runtime;

import dev.asyncrl.core.BadInputException;
import dev.asyncrl.trainer.Trainer;
import java.util.Locale;
import java.util.Optional;

/**
 * A kill drill for the trainer process: {@code -Dasyncrl.crash_at=INSTANT:STEP} (an {@link Trainer.Instant},
 * e.g. {@code checkpointed:10}) halts the JVM at that instant of that step, as abruptly as SIGKILL (no
 * shutdown hooks, nothing flushed), with exit status 137. Tests use it to kill at exact instants around a
 * checkpoint; nothing sets it in a normal run.
 */
public record FaultDrill(Trainer.Instant instant, int step) implements Trainer.Drill {

  public static final String PROPERTY = "asyncrl.crash_at";

  public static Optional<FaultDrill> fromSystemProperty() {
    String spec = System.getProperty(PROPERTY);
    if (spec == null || spec.isBlank()) {
      return Optional.empty();
    }
    String[] parts = spec.split(":");
    try {
      return Optional.of(new FaultDrill(Trainer.Instant.valueOf(parts[0].toUpperCase(Locale.ROOT).replace('-', '_')),
          Integer.parseInt(parts[1])));
    } catch (RuntimeException e) {
      throw new BadInputException("-D" + PROPERTY + "=" + spec + ": expected INSTANT:STEP, INSTANT one of "
          + java.util.Arrays.toString(Trainer.Instant.values()).toLowerCase(Locale.ROOT));
    }
  }

  @Override
  public void at(Trainer.Instant now, int atStep) {
    if (now == instant && atStep == step) {
      System.out.println("fault drill: halting at " + instant.name().toLowerCase(Locale.ROOT) + " of step " + step);
      System.out.flush();
      Runtime.getRuntime().halt(137);
    }
  }
}
