package dev.asyncrl.datastore;

import dev.asyncrl.core.TrajectoryGroup;
import java.time.Duration;

/**
 * The stream of trajectory groups between rollout workers (producers) and the trainer (the consumer).
 *
 * <p>Contract, for every implementation (in-memory now, Kafka later): {@link #append} blocks while the store
 * is full (backpressure, never a drop); the trainer receives groups in arrival order; a group appended once
 * is delivered once. {@link #consumed()} is the position the trainer has read up to, saved with checkpoints.
 */
public interface TrajectoryStore extends AutoCloseable {

  /** Appends a group, blocking while the store is full. */
  void append(TrajectoryGroup group) throws InterruptedException;

  /**
   * Waits until every group appended so far is durable in the store (acknowledged, for Kafka); a producer
   * calls it before reporting groups as accepted. The in-memory store's appends are complete on return.
   */
  void flush();

  /** The next group in arrival order, or null when none arrives within {@code timeout}. */
  TrajectoryGroup poll(Duration timeout) throws InterruptedException;

  /** Groups handed to the consumer so far. */
  long consumed();

  /** Where the consumer has read up to: everything before it has been handed out or skipped. */
  StorePosition position();

  /** Continues reading at {@code position} (from a checkpoint); call before the first {@link #poll}. */
  void seek(StorePosition position);

  /** Records {@code position} in the store (with a checkpoint), for tools and for a restart without one. */
  void commit(StorePosition position);

  /** Groups waiting to be consumed. */
  int buffered();

  @Override
  void close();
}
