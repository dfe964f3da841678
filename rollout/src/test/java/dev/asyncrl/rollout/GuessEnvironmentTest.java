package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.Origin;
import dev.asyncrl.core.config.RawValue;
import dev.asyncrl.rollout.Environment.Action;
import dev.asyncrl.rollout.Environment.Step;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The guessing game's rules and rewards, played by binary search and by hand. */
class GuessEnvironmentTest {

  static Environment game(String... keyValues) {
    GuessEnvironment provider = new GuessEnvironment();
    Map<String, RawValue> raw = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      raw.put(keyValues[i], RawValue.scalar(keyValues[i + 1], Origin.override("task.params." + keyValues[i])));
    }
    TaskParameters params = new TaskParameters("guess", raw);
    provider.configure(params);
    params.checkAllRead();
    return provider.create();
  }

  /** Plays the guesses {@code first}, then binary search, on {@code instance}: {guesses, episode reward, number}. */
  static double[] play(Environment env, long instance, int max, String... first) throws Exception {
    env.reset(instance);
    int low = 1;
    int high = max;
    double reward = 0;
    for (int guesses = 1; ; guesses++) {
      String guess = guesses <= first.length ? first[guesses - 1] : Integer.toString((low + high) / 2);
      Step step = env.step(new Action(guess, true));
      reward += step.reward();
      if (step.done()) {
        return new double[] {guesses, reward, Integer.parseInt(guess)};
      }
      if (step.observation().equals("+")) {
        low = Math.max(low, Integer.parseInt(guess) + 1);
      } else if (step.observation().equals("-")) {
        high = Math.min(high, Integer.parseInt(guess) - 1);
      }
      assertTrue(guesses < 64 && low <= high, "max " + max + ": the feedback contradicts itself");
    }
  }

  @Test
  void binarySearchFindsEveryNumberWithinTheMostGuessesItNeeds() throws Exception {
    for (int max : new int[] {2, 3, 7, 8, 31, 32, 33, 100}) {
      Environment env = game("max", Integer.toString(max));
      int most = 0;
      for (long instance = 0; instance < 300; instance++) {
        double[] played = play(env, instance, max);
        assertEquals(1.0, played[1], 0, "a find is worth 1");
        most = Math.max(most, (int) played[0]);
      }
      int needed = 1;
      while ((1 << needed) - 1 < max) { // w guesses of a balanced search tell 2^w − 1 numbers apart
        needed++;
      }
      assertEquals(needed, most, "max " + max);
    }
  }

  @Test
  void partialCreditIsHalfTheBitsRuledOutAndAFindIsWorthOne() throws Exception {
    Environment env = game("partial_credit", "true");
    env.reset(3);
    // 1..32 with nothing ruled out, then each answer; the step rewards add up to the credit so far
    double total = 0;
    int low = 1;
    int high = 32;
    Step step = env.step(new Action("x", true));
    assertEquals("*", step.observation());
    assertEquals(0, step.reward(), 0);
    for (String guess : new String[] {"16", "8", "24"}) {
      step = env.step(new Action(guess, true));
      if (step.done()) {
        assertEquals(1.0, total + step.reward(), 1e-12);
        return;
      }
      int g = Integer.parseInt(guess);
      if (step.observation().equals("+")) {
        low = Math.max(low, g + 1);
      } else {
        high = Math.min(high, g - 1);
      }
      total += step.reward();
      assertEquals(0.5 * (Math.log(32) - Math.log(high - low + 1)) / Math.log(32), total, 1e-12, "after " + guess);
      assertFalse(step.done());
    }
  }

  @Test
  void guessCreditPaysWhatAGuessIsSureToRuleOut() throws Exception {
    Environment plain = game();
    Environment credited = game("guess_credit", "0.3");
    double bits = Math.log(32);
    long instance = 0;
    while (play(plain, instance, 32)[2] < 18) { // a number in 18..32
      instance++;
    }
    credited.reset(instance);
    assertEquals(0.0, credited.step(new Action("x", true)).reward(), 0, "not a number");
    assertEquals(0.0, credited.step(new Action("40", true)).reward(), 0, "out of range");
    // 1..32: 1 is sure to rule out 1 of 32 (itself); then 2..32: 16 rules out 15 or 16, sure of 15
    assertEquals(0.3 * (bits - Math.log(31)) / bits, credited.step(new Action("1", true)).reward(), 1e-12);
    assertEquals(0.3 * (Math.log(31) - Math.log(16)) / bits, credited.step(new Action("16", true)).reward(), 1e-12);
    assertEquals(0.0, credited.step(new Action("3", true)).reward(), 1e-12, "already ruled out");
    // The found number is worth 1, with or without credit on the way
    assertEquals(1.0, play(plain, instance, 32, "1", "16", "3")[1], 0);
    assertTrue(play(credited, instance, 32, "1", "16", "3")[1] > 1);
  }

  @Test
  void aGamesGuessesEarnAtMostTheCreditTogether() throws Exception {
    // Random guesses, some out of range: the credit of an episode is at most c, so an unfound number stays below 1
    Environment plain = game("partial_credit", "true");
    Environment credited = game("guess_credit", "0.49", "partial_credit", "true");
    SplittableRandom rng = new SplittableRandom(5);
    for (long instance = 0; instance < 300; instance++) {
      String[] guesses = rng.ints(6, 0, 36).mapToObj(Integer::toString).toArray(String[]::new);
      double[] without = playOnly(plain, instance, guesses);
      double[] with = playOnly(credited, instance, guesses);
      assertEquals(without[0], with[0], "the credit changes no answer");
      double credit = with[1] - without[1];
      assertTrue(credit >= 0 && credit <= 0.49 + 1e-12, "credit " + credit);
      assertTrue(without[0] == 1 ? with[1] >= 1 : with[1] < 1, "instance " + instance + ": " + with[1]);
    }
  }

  /** Plays exactly {@code guesses} (or until found): {1 if found else 0, episode reward}. */
  static double[] playOnly(Environment env, long instance, String... guesses) throws Exception {
    env.reset(instance);
    double reward = 0;
    for (String guess : guesses) {
      Step step = env.step(new Action(guess, true));
      reward += step.reward();
      if (step.done()) {
        return new double[] {1, reward};
      }
    }
    return new double[] {0, reward};
  }
}
