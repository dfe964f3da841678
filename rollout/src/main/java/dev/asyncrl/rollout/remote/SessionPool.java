package dev.asyncrl.rollout.remote;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * One process's open sessions with a remote environment server: at most {@code size} at once (a further
 * episode waits for one to be given back), and a session given back healthy is handed to the next episode
 * instead of opening a new one. A session whose exchange failed is discarded, never reused.
 */
final class SessionPool<S extends SessionPool.Session> implements AutoCloseable {

  /** A server-side session: an open connection or an environment id. */
  interface Session {
    /** Ends the session on the server; best effort, never throws. */
    void end();
  }

  /** Opens a new session. */
  interface Opener<S> {
    S open() throws RemoteException, InterruptedException;
  }

  private final Semaphore permits;
  private final Opener<S> opener;
  private final Deque<S> idle = new ArrayDeque<>();
  private boolean closed;

  SessionPool(int size, Opener<S> opener) {
    this.permits = new Semaphore(size, true);
    this.opener = opener;
  }

  /** A session for one episode: an idle one, or a new one once fewer than {@code size} are out. */
  S borrow() throws RemoteException, InterruptedException {
    permits.acquire();
    try {
      synchronized (idle) {
        if (closed) {
          throw new RemoteException("the environment's sessions are closed", false);
        }
        S reused = idle.poll();
        if (reused != null) {
          return reused;
        }
      }
      return opener.open();
    } catch (RemoteException | InterruptedException | RuntimeException | Error e) {
      permits.release();
      throw e;
    }
  }

  /** Gives back a session whose episode ended cleanly, for the next episode. */
  void giveBack(S session) {
    boolean keep;
    synchronized (idle) {
      keep = !closed;
      if (keep) {
        idle.push(session);
      }
    }
    if (!keep) {
      session.end();
    }
    permits.release();
  }

  /** Ends a session that failed, and frees its place. */
  void discard(S session) {
    session.end();
    permits.release();
  }

  /** Ends the idle sessions; those still out are ended as they come back. */
  @Override
  public void close() {
    List<S> ending;
    synchronized (idle) {
      closed = true;
      ending = new ArrayList<>(idle);
      idle.clear();
    }
    ending.forEach(Session::end);
  }
}
