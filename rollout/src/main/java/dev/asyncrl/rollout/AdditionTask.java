package dev.asyncrl.rollout;

import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * Multi-digit addition: {@code "07+35="} → {@code "42"}. Operands are zero-padded to {@code digits} so every
 * prompt has the same length; the answer is written without padding.
 */
public final class AdditionTask implements Task {

  private final int digits;
  private final long bound;
  private final RewardFunction reward = new ExactAnswerReward();

  public AdditionTask(int digits) {
    if (digits < 1 || digits > 9) {
      throw new IllegalArgumentException("digits must be 1..9, got " + digits);
    }
    this.digits = digits;
    this.bound = (long) Math.pow(10, digits);
  }

  @Override
  public String name() {
    return "addition";
  }

  @Override
  public TaskInstance next(SplittableRandom rng) {
    long a = rng.nextLong(bound);
    long b = rng.nextLong(bound);
    String fmt = "%0" + digits + "d";
    return new TaskInstance(String.format(fmt, a) + "+" + String.format(fmt, b) + "=", Long.toString(a + b));
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
