package dev.asyncrl.rollout.remote;

import java.util.SplittableRandom;

/**
 * The game the test servers host, in the built-in model's alphabet: the observation is a digit and "=", the
 * right answer is that digit minus one (reward 1, done); a wrong answer is shown the same prompt again.
 */
public final class Countdown {

  private final int top;
  private int current;
  private boolean over;
  private int steps;

  public Countdown(int top) {
    this.top = top;
  }

  /** Starts the game of item {@code item}; returns the prompt. */
  public String reset(long item) {
    current = 1 + new SplittableRandom(item).nextInt(top);
    over = false;
    steps = 0;
    return prompt();
  }

  public String prompt() {
    return current + "=";
  }

  /** Plays {@code answer}; returns this step's reward. */
  public double step(String answer) {
    if (over) {
      throw new IllegalStateException("the episode is over; reset first");
    }
    steps++;
    if (answer.equals(String.valueOf(current - 1))) {
      over = true;
      return 1;
    }
    return 0;
  }

  public boolean over() {
    return over;
  }

  /** Steps played since the reset: a running count, for testing how a client reads running scores. */
  public int steps() {
    return steps;
  }
}
