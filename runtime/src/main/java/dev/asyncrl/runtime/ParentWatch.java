package dev.asyncrl.runtime;

import java.util.Optional;

/**
 * A process started by {@code asyncrl launch} stops when its launcher is gone. The supervisor passes its pid
 * in {@link #ENV}; a daemon thread checks it every {@link #PERIOD_MS} ms and halts this process (like a
 * SIGKILL, which the run survives by design) once the launcher has died, so that no trainer or worker
 * lingers as an orphan, and a relaunch finds the run folder free.
 */
public final class ParentWatch {
  private ParentWatch() {}

  static final String ENV = "ASYNCRL_SUPERVISOR_PID";
  static final long PERIOD_MS = 250;

  /** Starts watching when this process was started by a supervisor; does nothing otherwise. */
  public static void startIfSupervised() {
    String pid = System.getenv(ENV);
    if (pid == null || pid.isBlank()) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid.strip()));
    Thread watch = new Thread(() -> {
      while (parent.map(ProcessHandle::isAlive).orElse(false)) {
        try {
          Thread.sleep(PERIOD_MS);
        } catch (InterruptedException e) {
          return;
        }
      }
      System.out.println("the launcher (pid " + pid.strip() + ") is gone; stopping");
      System.out.flush();
      Runtime.getRuntime().halt(143);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
