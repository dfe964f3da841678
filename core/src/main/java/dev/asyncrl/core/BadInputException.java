package dev.asyncrl.core;

/**
 * Something a user gave that cannot be accepted: a configuration value, a file, a run folder, a command-line
 * argument. The message is one line naming what was wrong and where, printed as is; the command exits with
 * status 2, and a supervisor does not restart a process that stopped with it (running again cannot help).
 */
public class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The exit status of a command stopped by bad input (also for usage errors). */
  public static final int EXIT_CODE = 2;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
