package dev.asyncrl.datastore;

/**
 * Admission control against staleness (AReaL): a worker may start a new group only while
 *
 * <pre>  accepted + running &lt; (η + v + 1) · B + dropped</pre>
 *
 * with η = {@code max_staleness}, v the newest published policy version, B the groups per trainer step,
 * {@code accepted} the groups finished and appended so far, {@code running} the groups being sampled, and
 * {@code dropped} the groups the trainer discarded as too stale (each drop frees the slot it held, or the
 * trainer could starve). Nothing finished is thrown away on this path; the trainer's drop is the hard
 * guarantee when groups finish out of order.
 *
 * <p>With η = 0 exactly B groups are admitted per version and the trainer cannot publish the next version
 * before they finish, so every trained sample comes from the current weights.
 */
public final class StalenessGate {

  private final int maxStaleness;
  private final int groupsPerStep;
  private long version;
  private long accepted;
  private long running;
  private long dropped;
  private boolean closed;
  private int processes = 1;
  private volatile Runnable refresh = () -> {};

  public StalenessGate(int maxStaleness, int groupsPerStep) {
    if (maxStaleness < 0 || groupsPerStep <= 0) {
      throw new IllegalArgumentException("maxStaleness >= 0 and groupsPerStep > 0 required");
    }
    this.maxStaleness = maxStaleness;
    this.groupsPerStep = groupsPerStep;
  }

  /**
   * Blocks until one more group may start, then counts it as running.
   *
   * @return false when the gate was closed while waiting (the run is over)
   */
  public boolean acquire() throws InterruptedException {
    refresh.run();
    return acquireSlot();
  }

  private synchronized boolean acquireSlot() throws InterruptedException {
    while (!closed && !mayStart()) {
      wait();
    }
    if (closed) {
      return false;
    }
    running++;
    return true;
  }

  /** Like {@link #acquire} but never waits: true when a group may start now (and is counted as running). */
  public synchronized boolean tryAcquire() {
    if (closed || !mayStart()) {
      return false;
    }
    running++;
    return true;
  }

  /**
   * A free slot, and (across processes) no more than this process's share of the free slots in flight: with
   * P processes each may run ⌈free / P⌉, so P processes that see the same free slots cannot all take them.
   */
  private boolean mayStart() {
    long free = capacity() - accepted;
    return running < free && running < (free + processes - 1) / processes;
  }

  /**
   * Across processes: {@code refresh} brings this gate's view of the run up to date ({@link #observe}); it
   * runs, outside the gate's lock, before every admission so that a worker never decides on a stale count.
   */
  public void refreshBeforeAdmission(Runnable refresh) {
    this.refresh = refresh;
  }

  /** Across processes: this gate is one of {@code processes} rollout-worker processes sharing the run. */
  public synchronized void shareWith(int processes) {
    if (processes < 1) {
      throw new IllegalArgumentException("processes must be >= 1");
    }
    this.processes = processes;
  }

  private long capacity() {
    return (maxStaleness + version + 1) * groupsPerStep + dropped;
  }

  /** The group started by {@link #acquire} was appended to the store. */
  public synchronized void accepted() {
    running--;
    accepted++;
    notifyAll();
  }

  /** The group started by {@link #acquire} was abandoned (worker stopped, error); its slot is freed. */
  public synchronized void abandoned() {
    running--;
    notifyAll();
  }

  /** The trainer published {@code newVersion}. */
  public synchronized void published(long newVersion) {
    version = Math.max(version, newVersion);
    notifyAll();
  }

  /** The trainer discarded {@code groups} stale groups. */
  public synchronized void dropped(int groups) {
    dropped += groups;
    notifyAll();
  }

  /**
   * Across processes, where this gate only sees its own workers: the trainer's latest announcement (version
   * and freed slots, absolute; a restarted trainer may announce an older version) and the number of groups
   * every worker has appended to the shared log so far.
   */
  public synchronized void observe(long newVersion, long freedTotal, long appendedTotal) {
    version = newVersion;
    dropped = freedTotal;
    accepted = Math.max(accepted, appendedTotal);
    notifyAll();
  }

  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
