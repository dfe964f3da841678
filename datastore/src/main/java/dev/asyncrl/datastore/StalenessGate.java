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
  public synchronized boolean acquire() throws InterruptedException {
    while (!closed && accepted + running >= capacity()) {
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
    if (closed || accepted + running >= capacity()) {
      return false;
    }
    running++;
    return true;
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

  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
