package dev.asyncrl.rollout;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Episodes that failed, counted across the rollout workers of one process ({@code rollout/failed_episodes}):
 * the environment or the reward function threw, or gave a reward that is not finite. The group of such an
 * episode is skipped, not trained, and the worker goes on; the first failure is logged naming the environment
 * and the prompt. Past {@code limit} the run stops with {@link TooManyFailuresException}: an environment that
 * keeps failing is a bug or an outage to fix, not noise.
 */
public final class EpisodeFailures {

  private final int limit;
  private final Consumer<String> log;
  private final AtomicLong count = new AtomicLong();

  /** @param limit {@code rollout.max_failed_episodes}: how many are tolerated before the run stops */
  public EpisodeFailures(int limit, Consumer<String> log) {
    this.limit = limit;
    this.log = log;
  }

  public long count() {
    return count.get();
  }

  /**
   * Records one failed episode.
   *
   * @param environment the environment's name and class, e.g. {@code 'guess' (dev.asyncrl.rollout.GuessEnvironment)}
   * @param prompt      the episode's first observation, or null when it failed before one
   * @param problem     what went wrong ("reset threw ...", "step returned reward NaN")
   * @throws TooManyFailuresException when more than {@code limit} have been recorded
   */
  void record(String environment, String prompt, String problem) {
    long n = count.incrementAndGet();
    String what = "environment " + environment + ": " + problem;
    if (n == 1) {
      log.accept("warning: " + what + (prompt == null ? "" : " (prompt " + quote(prompt) + ")") + "; the episode's "
          + "group is skipped (counted as rollout/failed_episodes; the run stops after rollout.max_failed_episodes = "
          + limit + ")");
    }
    if (n > limit) {
      throw new TooManyFailuresException(what + "; " + n + " failed episodes, more than rollout.max_failed_episodes = "
          + limit + (prompt == null ? "" : " (last prompt " + quote(prompt) + ")"));
    }
  }

  private static String quote(String prompt) {
    String oneLine = prompt.replace("\n", "\\n");
    return "'" + (oneLine.length() > 120 ? oneLine.substring(0, 120) + "…" : oneLine) + "'";
  }

  /** Episodes failed more often than the run tolerates. */
  public static final class TooManyFailuresException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyFailuresException(String message) {
      super(message);
    }
  }
}
