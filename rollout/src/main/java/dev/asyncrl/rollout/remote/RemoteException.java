package dev.asyncrl.rollout.remote;

/**
 * A remote environment server failed a call: it was unreachable, slow, closed the session, or answered with an
 * error. The episode fails (counted, its group skipped); {@link #retryable} says whether opening an episode
 * again may succeed (a refused or dropped connection, a full server), as opposed to an error in the exchange
 * itself.
 */
public final class RemoteException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  RemoteException(String message, boolean retryable) {
    super(message);
    this.retryable = retryable;
  }

  public boolean retryable() {
    return retryable;
  }
}
