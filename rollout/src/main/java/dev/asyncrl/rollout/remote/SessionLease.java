package dev.asyncrl.rollout.remote;

/**
 * One episode's hold on a pooled session: taken when the episode opens (retried as {@link Remote#retrying}
 * allows), used for its steps, and at its end given back for the next episode, or discarded when an exchange
 * failed and the session's state can no longer be trusted.
 */
final class SessionLease<S extends SessionPool.Session> {

  /** A request made in a session. */
  interface Request<S, T> {
    T send(S session) throws RemoteException, InterruptedException;
  }

  private final SessionPool<S> pool;
  private final Remote remote;
  private S session;
  private boolean failed;

  SessionLease(SessionPool<S> pool, Remote remote) {
    this.pool = pool;
    this.remote = remote;
  }

  /** Takes a session and makes the episode's first request in it (a reset); a failed try discards the session. */
  <T> T open(Request<S, T> first) throws RemoteException, InterruptedException {
    return remote.retrying(() -> {
      S s = pool.borrow();
      try {
        T answer = first.send(s);
        session = s;
        return answer;
      } catch (RemoteException | RuntimeException e) {
        pool.discard(s);
        throw e;
      }
    });
  }

  /** A request of the open episode; if it fails, the session is discarded at {@link #close}. */
  <T> T send(Request<S, T> request) throws RemoteException, InterruptedException {
    try {
      return request.send(session);
    } catch (RemoteException | RuntimeException e) {
      failed = true;
      throw e;
    }
  }

  /** The session, once open. */
  S session() {
    return session;
  }

  /** Gives the session back, or discards it after a failure; nothing when the episode never opened. */
  void close() {
    if (session != null) {
      if (failed) {
        pool.discard(session);
      } else {
        pool.giveBack(session);
      }
      session = null;
    }
  }
}
