package dev.asyncrl.trainer;

/** Training cannot go on: the loss or gradient stayed non-finite (see {@code trainer.max_nonfinite_steps}). */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrainingDivergedException(String message) {
    super(message);
  }
}
