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
 * @param <W> the weights type; the channel never looks inside
 */
public final class WeightChannel<W> {

  /** A published version. */
  public record Published<W>(long version, W weights) {}

  private final Deque<Published<W>> versions = new ArrayDeque<>();
  private final int retain;
  private final Consumer<W> onEvict;
  private boolean closed;

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
    versions.addLast(new Published<>(version, weights));
    while (versions.size() > retain) {
      onEvict.accept(versions.removeFirst().weights());
    }
    notifyAll();
  }

  /** Newest version number, or -1 before the first publish. */
  public synchronized long latestVersion() {
    return versions.isEmpty() ? -1 : versions.peekLast().version();
  }

  /**
   * Runs {@code reader} on the newest weights if they are newer than {@code haveVersion}, holding the lock
   * so they cannot be evicted meanwhile.
   *
   * @return the version read, or {@code haveVersion} when nothing newer exists
   */
  public synchronized long readIfNewer(long haveVersion, Consumer<Published<W>> reader) {
    return readIfNewer(haveVersion, 0, reader);
  }

  /**
   * As {@link #readIfNewer(long, Consumer)}, but targets the version {@code lag} behind the newest (or the
   * oldest retained, early on): {@code rollout.lag}. The channel must retain at least {@code lag + 1}
   * versions for the target to exist.
   */
  public synchronized long readIfNewer(long haveVersion, int lag, Consumer<Published<W>> reader) {
    if (versions.isEmpty()) {
      return haveVersion;
    }
    long wanted = versions.peekLast().version() - lag;
    Published<W> target = versions.peekFirst();
    for (Published<W> p : versions) {
      if (p.version() <= wanted) {
        target = p;
      }
    }
    if (target.version() <= haveVersion) {
      return haveVersion;
    }
    reader.accept(target);
    return target.version();
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
