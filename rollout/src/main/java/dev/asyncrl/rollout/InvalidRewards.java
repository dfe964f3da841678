package dev.asyncrl.rollout;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Responses whose reward function threw or returned a value that is not finite, counted across the
 * rollout workers of one process ({@code rollout/invalid_rewards}). The group of such a response is skipped,
 * not trained; the first one is logged with its task and prompt. Past {@code limit} the run stops with
 * {@link RewardFunctionException}: a reward function that keeps failing is a bug to fix, not noise.
 */
public final class InvalidRewards {

  private final int limit;
  private final Consumer<String> log;
  private final AtomicLong count = new AtomicLong();

  /** @param limit {@code rollout.max_invalid_rewards}: how many are tolerated before the run stops */
  public InvalidRewards(int limit, Consumer<String> log) {
    this.limit = limit;
    this.log = log;
  }

  public long count() {
    return count.get();
  }

  /**
   * Records one invalid reward.
   *
   * @param problem what the reward function did ("returned NaN", "threw ...")
   * @throws RewardFunctionException when more than {@code limit} have been recorded
   */
  void record(Task task, TaskInstance instance, String problem) {
    long n = count.incrementAndGet();
    String what = "the reward function of task '" + task.name() + "' (" + task.reward().getClass().getName() + ") "
        + problem;
    if (n == 1) {
      log.accept("warning: " + what + " for the prompt " + quote(instance.prompt()) + "; its group is skipped "
          + "(counted as rollout/invalid_rewards; the run stops after rollout.max_invalid_rewards = " + limit + ")");
    }
    if (n > limit) {
      throw new RewardFunctionException(what + "; " + n + " invalid rewards, more than rollout.max_invalid_rewards = "
          + limit + " (last prompt " + quote(instance.prompt()) + ")");
    }
  }

  private static String quote(String prompt) {
    String oneLine = prompt.replace("\n", "\\n");
    return "'" + (oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine) + "'";
  }

  /** A reward function failed more often than the run tolerates. */
  public static final class RewardFunctionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RewardFunctionException(String message) {
      super(message);
    }
  }
}
