package dev.asyncrl.rollout;

import java.util.SplittableRandom;

/**
 * {@code guess}: find a hidden number in 1..max from higher/lower feedback. Each turn the model answers with
 * a number; the environment says whether the hidden one is higher or lower, and the episode ends with reward
 * 1 when the guess is right (0 when the horizon runs out first). Binary search always succeeds within
 * ⌈log2(max + 1)⌉ guesses; a uniformly random guesser rarely does.
 *
 * <p>With {@code task.params.partial_credit} (default false), an episode that does not find the number earns half
 * the share of the range its feedback ruled out, in bits: {@code 0.5 · log(max / candidates left) / log(max)}.
 * A found number is still worth exactly 1. Ruling out most is what a guess near the middle of the candidates
 * does, so the credit points a model learning from scratch toward binary search.
 *
 * <p>Two wordings ({@code task.params.words}): symbols, in the built-in model's alphabet (prompt {@code 32=},
 * feedback {@code +} for higher, {@code -} for lower, {@code *} for an answer that is not a number in range),
 * or English sentences for instruct models.
 */
public final class GuessEnvironment implements EnvironmentProvider {

  private int max = 32;
  private boolean words;
  private boolean partialCredit;

  @Override
  public String name() {
    return "guess";
  }

  @Override
  public void configure(TaskParameters params) {
    max = params.integer("max", 32, 2, 1_000_000);
    words = params.flag("words", false);
    partialCredit = params.flag("partial_credit", false);
  }

  @Override
  public Environment create() {
    return new Environment() {
      private int hidden;
      private int low;
      private int high;
      private double credit; // the reward given so far

      @Override
      public String reset(long instance) {
        hidden = 1 + new SplittableRandom(instance).nextInt(max);
        low = 1;
        high = max;
        credit = 0;
        return words ? "I am thinking of a whole number from 1 to " + max + ". Guess it: answer with the number only. "
            + "After each guess I will say whether my number is higher or lower." : max + "=";
      }

      @Override
      public Step step(Action action) {
        int guess = parse(action.text().strip());
        if (guess == hidden) {
          return Step.end(1 - credit); // a found number is worth 1, whatever came before
        }
        if (guess < 1 || guess > max) {
          return Step.next(words ? "Answer with a whole number from 1 to " + max + " only." : "*");
        }
        boolean higher = hidden > guess;
        if (higher) {
          low = Math.max(low, guess + 1);
        } else {
          high = Math.min(high, guess - 1);
        }
        double earned = partialCredit ? 0.5 * ruledOut(max, high - low + 1) : 0;
        Step step = new Step(words ? (higher ? "Higher." : "Lower.") : higher ? "+" : "-", earned - credit, false);
        credit = earned;
        return step;
      }
    };
  }

  /** The share of 1..max that {@code left} candidates rule out, in bits: 0 for none, 1 for all but one. */
  static double ruledOut(int max, int left) {
    return (Math.log(max) - Math.log(left)) / Math.log(max);
  }

  /** The guess as a number, or -1 when the text is not digits only (no sign, at most 7 digits). */
  static int parse(String text) {
    if (text.isEmpty() || text.length() > 7 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    return Integer.parseInt(text);
  }
}
