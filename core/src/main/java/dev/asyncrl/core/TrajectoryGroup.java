package dev.asyncrl.core;

import java.util.List;

/**
 * The unit of data that moves from rollout to trainer: {@code K} responses to one prompt.
 *
 * <p>Group-relative advantages (GRPO, RLOO, LOOP) are computed within a group, so a group is never split.
 *
 * @param groupId   unique across the run; the trainer trains each id at most once
 * @param taskName  the task that produced the prompt
 * @param trajectories the {@code K} responses
 * @param workerId  which rollout worker produced it
 * @param createdAtMicros wall-clock time (µs since the epoch) when the group was appended; comparable across
 *     processes on machines with synchronised clocks (for end-to-end latency)
 */
public record TrajectoryGroup(
    long groupId, String taskName, List<Trajectory> trajectories, int workerId, long createdAtMicros) {

  public TrajectoryGroup {
    trajectories = List.copyOf(trajectories);
    if (trajectories.isEmpty()) {
      throw new IllegalArgumentException("group " + groupId + " has no trajectories");
    }
  }

  /** The current wall-clock time in µs since the epoch, for {@code createdAtMicros}. */
  public static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  /** The oldest policy version that contributed to this group; staleness is measured from it. */
  public long policyVersion() {
    long v = Long.MAX_VALUE;
    for (Trajectory t : trajectories) {
      v = Math.min(v, t.startVersion());
    }
    return v;
  }

  /** Staleness of this group when trained by a trainer at {@code trainerVersion}. */
  public long staleness(long trainerVersion) {
    return trainerVersion - policyVersion();
  }

  public double[] rewards() {
    double[] r = new double[trajectories.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = trajectories.get(i).reward();
    }
    return r;
  }
}
