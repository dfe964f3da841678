package dev.asyncrl.algorithms;

/**
 * Which finished groups the trainer trains on. DAPO's dynamic sampling (Yu et al. 2025) skips groups whose
 * rewards are all equal (zero advantage, no signal) and keeps reading until the batch is full; after
 * {@code maxPerStep} skips in one step it stops filtering for that step, so a solved task cannot stall
 * training.
 *
 * @param dropEqualRewards skip groups whose rewards are all equal
 * @param maxPerStep       skips allowed per step before groups are taken as they come
 */
public record GroupFilter(boolean dropEqualRewards, int maxPerStep) {

  public static final GroupFilter NONE = new GroupFilter(false, 0);

  /** True when a group with these rewards should be trained on (given {@code skippedThisStep} so far). */
  public boolean admits(double[] rewards, int skippedThisStep) {
    return !dropEqualRewards || skippedThisStep >= maxPerStep || !GroupStats.allEqual(rewards);
  }
}
