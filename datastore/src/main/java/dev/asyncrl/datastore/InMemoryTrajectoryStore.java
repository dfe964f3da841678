package dev.asyncrl.datastore;

import dev.asyncrl.core.TrajectoryGroup;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A bounded in-process FIFO: the default store for one-machine runs. */
public final class InMemoryTrajectoryStore implements TrajectoryStore {

  private final ArrayBlockingQueue<TrajectoryGroup> queue;
  private final AtomicLong consumed = new AtomicLong();
  private volatile boolean closed;

  public InMemoryTrajectoryStore(int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity, true);
  }

  @Override
  public void append(TrajectoryGroup group) throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("store is closed");
    }
    queue.put(group);
  }

  /** Nothing to wait for: {@link #append} has put the group in the queue. */
  @Override
  public void flush() {}

  @Override
  public TrajectoryGroup poll(Duration timeout) throws InterruptedException {
    TrajectoryGroup g = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (g != null) {
      consumed.incrementAndGet();
    }
    return g;
  }

  @Override
  public long consumed() {
    return consumed.get();
  }

  @Override
  public StorePosition position() {
    return new StorePosition(java.util.Map.of(), consumed.get(), 0);
  }

  /**
   * Continues the count of consumed groups from a checkpoint. The queue's contents died with the process that
   * held them: groups sampled but not yet trained are sampled again by the resumed workers, under new group ids.
   */
  @Override
  public void seek(StorePosition position) {
    if (!queue.isEmpty()) {
      throw new IllegalStateException("seek on a store that already holds " + queue.size() + " groups");
    }
    consumed.set(position.consumed());
  }

  /** Nothing to record: the queue is not durable. */
  @Override
  public void commit(StorePosition position) {}

  @Override
  public int buffered() {
    return queue.size();
  }

  @Override
  public void close() {
    closed = true;
  }
}
