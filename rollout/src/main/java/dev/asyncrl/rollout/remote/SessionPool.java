package dev.asyncrl.rollout.remote;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * One process's open sessions with a remote environment server: at most {@code size} at once (a further
 * episode waits for one to be given back), and a session given back healthy is handed to the next episode
 * instead of opening a new one. A session whose exchange failed is discarded, never reused. Closing the pool
 * ends every session, those still out with an episode included (their episodes then fail).
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
  private final Set<S> open = new LinkedHashSet<>(); // idle or out; guarded by idle
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
        checkOpen();
        S reused = idle.poll();
        if (reused != null) {
          return reused;
        }
      }
      S session = opener.open();
      synchronized (idle) {
        if (closed) {
          session.end();
          checkOpen();
        }
        open.add(session);
      }
      return session;
    } catch (RemoteException | InterruptedException | RuntimeException | Error e) {
      permits.release();
      throw e;
    }
  }

  private void checkOpen() throws RemoteException {
    if (closed) {
      throw new RemoteException("the environment's sessions are closed: the run is ending", false);
    }
  }

  /** Gives back a session whose episode ended cleanly, for the next episode. */
  void giveBack(S session) {
    synchronized (idle) {
      if (!closed) {
        idle.push(session);
        permits.release();
        return;
      }
    }
    discard(session);
  }

  /** Ends a session that failed, and frees its place. */
  void discard(S session) {
    boolean ours;
    synchronized (idle) {
      ours = open.remove(session);
    }
    if (ours) {
      session.end();
    }
    permits.release();
  }

  /** Ends every session, idle or out. */
  @Override
  public void close() {
    List<S> ending;
    synchronized (idle) {
      closed = true;
      ending = new ArrayList<>(open);
      open.clear();
      idle.clear();
    }
    ending.forEach(Session::end);
  }
}
