package dev.asyncrl.datastore;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Carries published policy weights from the trainer to the rollout workers. In-process the announcement is
 * a reference to the weights object; across processes (Kafka) it names a checkpoint.
 *
 * <p>The channel keeps the newest {@code retain} versions, closes older ones through {@code onEvict}, and
 * lets a reader use a version under a lock so that an eviction never frees weights while they are being
 * copied.
 *
 * <p>Every publish gets a serial number that only grows, even when a restarted trainer publishes a version
 * number again ({@link #restart}); readers compare serials, so they always move to what was published last.
 *
 * @param <W> the weights type; the channel never looks inside
 */
public final class WeightChannel<W> {

  /** A published version; {@code serial} orders publishes, {@code version} is the policy version. */
  public record Published<W>(long serial, long version, W weights) {}

  /** What a reader holds before its first read. */
  public static final long NOTHING = -1;

  private final Deque<Published<W>> versions = new ArrayDeque<>();
  private final int retain;
  private final Consumer<W> onEvict;
  private boolean closed;
  private long serial;

  public WeightChannel(int retain, Consumer<W> onEvict) {
    if (retain < 1) {
      throw new IllegalArgumentException("retain must be >= 1");
    }
    this.retain = retain;
    this.onEvict = onEvict;
  }

  public synchronized void publish(long version, W weights) {
    if (!versions.isEmpty() && version <= versions.peekLast().version()) {
      throw new IllegalArgumentException("version " + version + " is not newer than " + versions.peekLast().version());
    }
    versions.addLast(new Published<>(serial++, version, weights));
    while (versions.size() > retain) {
      onEvict.accept(versions.removeFirst().weights());
    }
    notifyAll();
  }

  /**
   * A restarted trainer resumed at {@code version} (possibly older than what was published before it
   * died): forgets every retained version and publishes this one.
   */
  public synchronized void restart(long version, W weights) {
    while (!versions.isEmpty()) {
      onEvict.accept(versions.removeFirst().weights());
    }
    publish(version, weights);
  }

  /** Newest version number, or -1 before the first publish. */
  public synchronized long latestVersion() {
    return versions.isEmpty() ? -1 : versions.peekLast().version();
  }

  /**
   * Runs {@code reader} on the weights {@code lag} versions behind the newest (or the oldest retained, early
   * on; {@code rollout.lag}) if they were published after {@code haveSerial}, holding the lock so they cannot
   * be evicted meanwhile. The channel must retain at least {@code lag + 1} versions for the target to exist.
   *
   * @param haveSerial the serial the reader holds, or {@link #NOTHING}
   * @return the serial now held: the one read, or {@code haveSerial} when nothing newer exists
   */
  public synchronized long readIfNewer(long haveSerial, int lag, Consumer<Published<W>> reader) {
    Published<W> target = target(lag);
    if (target == null || target.serial() <= haveSerial) {
      return haveSerial;
    }
    reader.accept(target);
    return target.serial();
  }

  /** Whether {@link #readIfNewer} would read something now. */
  public synchronized boolean hasNewer(long haveSerial, int lag) {
    Published<W> target = target(lag);
    return target != null && target.serial() > haveSerial;
  }

  /** The version {@code lag} behind the newest, or the oldest retained; null before the first publish. */
  private Published<W> target(int lag) {
    if (versions.isEmpty()) {
      return null;
    }
    long wanted = versions.peekLast().version() - lag;
    Published<W> target = versions.peekFirst();
    for (Published<W> p : versions) {
      if (p.version() <= wanted) {
        target = p;
      }
    }
    return target;
  }

  /** Blocks until some version is published or the channel closes; returns the newest version or -1. */
  public synchronized long awaitFirst() throws InterruptedException {
    while (versions.isEmpty() && !closed) {
      wait();
    }
    return latestVersion();
  }

  /** Evicts and closes everything. */
  public synchronized void close() {
    closed = true;
    while (!versions.isEmpty()) {
      onEvict.accept(versions.removeFirst().weights());
    }
    notifyAll();
  }
}
