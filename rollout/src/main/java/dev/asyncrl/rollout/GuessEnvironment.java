package dev.asyncrl.rollout;

import java.util.ArrayList;
import java.util.List;
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
 * <p>With {@code task.params.guess_credit} c (default 0), every guess also earns c times the share of 1..max it
 * is sure to rule out, in bits, whatever the answer: {@code c · (log left − log max(below, above, 1)) / log max},
 * where {@code left} candidates remain before the guess and {@code below} and {@code above} of them lie under and
 * over it. A guess in the middle of the candidates earns most, one outside them nothing. Unlike the partial credit,
 * which depends on where the number happened to be, this judges each guess on its own, so a guess is paid in the
 * episode it is made in whatever the later guesses do. A game's guesses earn at most c together (the shares add
 * up to at most all of 1..max), so with c &lt; 0.5 an unfound number stays below 1 and a found one 1 or more.
 *
 * <p>Two wordings ({@code task.params.words}): symbols, in the built-in model's alphabet (prompt {@code 32=},
 * feedback {@code +} for higher, {@code -} for lower, {@code *} for an answer that is not a number in range),
 * or English sentences for instruct models.
 */
public final class GuessEnvironment implements EnvironmentProvider {

  private int max = 32;
  private boolean words;
  private boolean partialCredit;
  private double guessCredit;

  @Override
  public String name() {
    return "guess";
  }

  @Override
  public void configure(TaskParameters params) {
    max = params.integer("max", 32, 2, 1_000_000);
    words = params.flag("words", false);
    partialCredit = params.flag("partial_credit", false);
    guessCredit = params.number("guess_credit", 0, 0, 0.49);
  }

  /** Binary search: each guess the middle of the numbers still possible (the lower middle of an even count). */
  @Override
  public List<String> demonstration(long instance) {
    int hidden = hidden(instance);
    List<String> turns = new ArrayList<>();
    for (int low = 1, high = max; ; ) {
      int guess = (low + high) >>> 1;
      turns.add(String.valueOf(guess));
      if (guess == hidden) {
        return turns;
      }
      if (hidden > guess) {
        low = guess + 1;
      } else {
        high = guess - 1;
      }
    }
  }

  private int hidden(long instance) {
    return 1 + new SplittableRandom(instance).nextInt(max);
  }

  @Override
  public Environment create() {
    return new Environment() {
      private int hidden;
      private int low;
      private int high;
      private double credit; // the partial credit given so far

      @Override
      public String reset(long instance) {
        hidden = hidden(instance);
        low = 1;
        high = max;
        credit = 0;
        return words ? "I am thinking of a whole number from 1 to " + max + ". Guess it: answer with the number only. "
            + "After each guess I will say whether my number is higher or lower." : max + "=";
      }

      @Override
      public Step step(Action action) {
        int guess = parse(action.text().strip());
        double sure = guessCredit * sureToRuleOut(guess);
        if (guess == hidden) {
          return Step.end(1 - credit + sure); // a found number is worth 1, whatever partial credit came before
        }
        if (guess < 1 || guess > max) {
          return new Step(words ? "Answer with a whole number from 1 to " + max + " only." : "*", sure, false);
        }
        boolean higher = hidden > guess;
        if (higher) {
          low = Math.max(low, guess + 1);
        } else {
          high = Math.min(high, guess - 1);
        }
        double earned = partialCredit ? 0.5 * ruledOut(max, high - low + 1) : 0;
        Step step = new Step(words ? (higher ? "Higher." : "Lower.") : higher ? "+" : "-", earned - credit + sure,
            false);
        credit = earned;
        return step;
      }

      /** The share of 1..max that {@code guess} rules out whatever the answer, in bits. */
      private double sureToRuleOut(int guess) {
        int left = high - low + 1;
        int below = Math.max(0, Math.min(guess - 1, high) - low + 1);
        int above = Math.max(0, high - Math.max(guess + 1, low) + 1);
        return (Math.log(left) - Math.log(Math.max(1, Math.max(below, above)))) / Math.log(max);
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
