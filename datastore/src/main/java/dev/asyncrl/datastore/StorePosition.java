package dev.asyncrl.datastore;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the trainer has read a trajectory store, saved with each checkpoint so a restarted trainer
 * resumes exactly after the last group it trained.
 *
 * @param offsets  per partition, the offset of the next record to read (Kafka); empty for in-process stores
 * @param consumed groups handed to the trainer so far
 * @param skipped  records that could not be decoded and were dead-lettered instead
 */
public record StorePosition(Map<Integer, Long> offsets, long consumed, long skipped) {

  public static final StorePosition START = new StorePosition(Map.of(), 0, 0);

  public StorePosition {
    offsets = Collections.unmodifiableMap(new TreeMap<>(offsets)); // by partition, for a stable state.json
  }

  /**
   * The sum of the offsets at which this run's log begins: Σ offsets − consumed − skipped. It does not change
   * as the trainer reads, or across a resume, so workers count the run's appended groups as Σ end offsets −
   * base.
   */
  public long base() {
    return offsets.values().stream().mapToLong(Long::longValue).sum() - consumed - skipped;
  }
}
