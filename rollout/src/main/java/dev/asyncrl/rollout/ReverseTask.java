package dev.asyncrl.rollout;

import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * {@code "384="} → {@code "483"}: write the digits in reverse order. Each answer digit is a lookup of one
 * prompt position, which a tiny transformer learns from reward alone in the quickstart budget.
 * Random-policy reward ≈ 0.03.
 */
public final class ReverseTask implements Task {

  private final int digits;
  private final RewardFunction reward = new ExactAnswerReward();

  public ReverseTask(int digits) {
    if (digits < 1 || digits > 9) {
      throw new IllegalArgumentException("digits must be 1..9, got " + digits);
    }
    this.digits = digits;
  }

  @Override
  public String name() {
    return "reverse";
  }

  @Override
  public TaskInstance next(SplittableRandom rng) {
    StringBuilder s = new StringBuilder(digits);
    for (int i = 0; i < digits; i++) {
      s.append((char) ('0' + rng.nextInt(10)));
    }
    return new TaskInstance(s + "=", new StringBuilder(s).reverse().toString());
  }

  @Override
  public RewardFunction reward() {
    return reward;
  }

  @Override
  public int longestPrompt(ToIntFunction<String> tokens) {
    return tokens.applyAsInt(next(new SplittableRandom(0)).prompt()); // every prompt has the same length
  }
}
