package dev.asyncrl.datastore;

/** A message that is not a valid trajectory record: foreign, corrupt, truncated or of an unknown version. */
public final class TrajectoryFormatException extends IllegalArgumentException {
  public TrajectoryFormatException(String message) {
    super(message);
  }
}
