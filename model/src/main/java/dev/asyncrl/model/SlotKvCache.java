package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * A key/value cache allocated once for {@code slots} sequences: per layer {@code [slots, KV, capacity, dh]},
 * written in place; nothing is copied or allocated per token.
 *
 * <p>All slots write the same column at each decode step (one batched forward), and each slot remembers the
 * column its current sequence starts at; attention never sees a slot's earlier columns. A new sequence's
 * prompt is written into its slot just below the current column ({@link #prefill}). When the columns run out,
 * {@link #compact} shifts everything left past the columns no live sequence needs, so a slot can be reused
 * forever while memory stays {@code slots × capacity} entries per layer.
 */
public final class SlotKvCache implements KvCache, AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int capacity;
  private final int reserve;
  private final int[] starts;
  private final boolean[] used;
  private final int[] view; // rowStarts(): free slots see only the current column
  private int column;
  private int compactions;

  /**
   * @param reserve columns kept free below the current one for a new prompt (the longest prompt)
   * @param capacity columns per slot; at least the longest prompt plus the longest response, more makes
   *                 {@link #compact} rarer
   */
  public SlotKvCache(NDManager parent, int layers, int slots, int kvHeads, int headDim, int capacity, int reserve,
      DataType dtype) {
    if (capacity <= reserve) {
      throw new IllegalArgumentException("capacity " + capacity + " must exceed the prompt reserve " + reserve);
    }
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    Shape shape = new Shape(slots, kvHeads, capacity, headDim);
    for (int l = 0; l < layers; l++) {
      keys[l] = manager.zeros(shape, dtype);
      values[l] = manager.zeros(shape, dtype);
    }
    this.capacity = capacity;
    this.reserve = reserve;
    this.column = reserve;
    this.starts = new int[slots];
    this.used = new boolean[slots];
    this.view = new int[slots];
  }

  /** Bytes held by the keys and values of every layer. */
  public long bytes() {
    long per = keys[0].size() * keys[0].getDataType().getNumOfBytes();
    return 2 * per * keys.length;
  }

  @Override
  public int length() {
    return column;
  }

  @Override
  public int[] rowStarts() {
    for (int s = 0; s < starts.length; s++) {
      view[s] = used[s] ? starts[s] : column;
    }
    return view;
  }

  /** How many times {@link #compact} shifted the columns. */
  public int compactions() {
    return compactions;
  }

  /** Columns left before {@link #compact} is needed. */
  public int free() {
    return capacity - column;
  }

  /** Marks {@code slot} as empty: it attends only to the current column until a sequence is prefilled. */
  public void release(int slot) {
    used[slot] = false;
  }

  /** The oldest sequence's start: no row attends to a column before it. */
  @Override
  public int windowStart() {
    int from = column;
    for (int s = 0; s < starts.length; s++) {
      if (used[s]) {
        from = Math.min(from, starts[s]);
      }
    }
    return from;
  }

  @Override
  public NDArray[] append(int layer, NDArray k, NDArray v) {
    int steps = Math.toIntExact(k.getShape().get(2));
    if (column + steps > capacity) {
      throw new IllegalStateException("the cache is full: compact() before the next step");
    }
    NDIndex at = new NDIndex(":, :, {}:{}", column, column + steps);
    keys[layer].set(at, k);
    values[layer].set(at, v);
    NDIndex seen = new NDIndex(":, :, {}:{}", windowStart(), column + steps);
    return new NDArray[] {keys[layer].get(seen), values[layer].get(seen)};
  }

  @Override
  public void advance(int tokens) {
    column += tokens;
  }

  /**
   * The cache a forward over prompts (one row per slot, left-padded to the longest) writes to: row {@code i}'s
   * keys and values go to columns {@code length() − L .. length()} of {@code slots[i]}, where its own
   * {@code lengths[i]} tokens end, and each row attends to its own prompt only. The slots' sequences then
   * start there.
   */
  public KvCache prefill(int[] slotsToFill, int[] lengths) {
    int longest = Arrays.stream(lengths).max().orElse(0);
    if (longest > reserve) {
      throw new IllegalArgumentException("a prompt of " + longest + " tokens exceeds the reserve of " + reserve);
    }
    int first = column - longest;
    int[] pads = new int[lengths.length];
    for (int i = 0; i < lengths.length; i++) {
      pads[i] = longest - lengths[i];
      starts[slotsToFill[i]] = column - lengths[i];
      used[slotsToFill[i]] = true;
    }
    boolean padded = Arrays.stream(pads).anyMatch(p -> p > 0);
    return new KvCache() {
      private int offset;

      @Override
      public int length() {
        return offset;
      }

      @Override
      public int[] rowStarts() {
        return padded ? pads : null;
      }

      @Override
      public NDArray[] append(int layer, NDArray k, NDArray v) {
        int steps = Math.toIntExact(k.getShape().get(2));
        for (int i = 0; i < slotsToFill.length; i++) {
          int slot = slotsToFill[i];
          NDIndex at = new NDIndex("{}:{}, :, {}:{}", slot, slot + 1, first + offset, first + offset + steps);
          NDIndex row = new NDIndex("{}:{}", i, i + 1);
          keys[layer].set(at, k.get(row));
          values[layer].set(at, v.get(row));
        }
        return new NDArray[] {k, v};
      }

      @Override
      public void advance(int tokens) {
        offset += tokens;
      }
    };
  }

  /** Copies {@code from}'s sequence so far into {@code to} (same prompt, one prefill for a whole group). */
  public void copySlot(int from, int to) {
    NDIndex src = new NDIndex("{}:{}, :, {}:{}", from, from + 1, starts[from], column);
    NDIndex dst = new NDIndex("{}:{}, :, {}:{}", to, to + 1, starts[from], column);
    for (int l = 0; l < keys.length; l++) {
      keys[l].set(dst, keys[l].get(src));
      values[l].set(dst, values[l].get(src));
    }
    starts[to] = starts[from];
    used[to] = true;
  }

  /**
   * Makes room when fewer than {@code needed} columns are left: shifts every slot left by as many columns
   * as no live sequence uses, keeping {@code reserve} columns below the current one for new prompts.
   */
  public void compact(int needed) {
    if (free() >= needed) {
      return;
    }
    int shift = Math.min(windowStart(), column - reserve);
    if (shift <= 0 || capacity - (column - shift) < needed) {
      throw new IllegalStateException("the cache cannot make room: capacity " + capacity + " is too small");
    }
    try (NDManager scratch = manager.newSubManager()) {
      NDIndex src = new NDIndex(":, :, {}:{}", shift, column);
      NDIndex dst = new NDIndex(":, :, 0:{}", column - shift);
      for (int l = 0; l < keys.length; l++) {
        NDArray k = keys[l].get(src).duplicate(); // the ranges overlap: copy before writing
        NDArray v = values[l].get(src).duplicate();
        k.attach(scratch);
        v.attach(scratch);
        keys[l].set(dst, k);
        values[l].set(dst, v);
      }
    }
    column -= shift;
    compactions++;
    for (int s = 0; s < starts.length; s++) {
      if (used[s]) {
        starts[s] -= shift;
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
