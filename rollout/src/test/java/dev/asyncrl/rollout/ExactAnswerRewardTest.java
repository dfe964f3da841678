package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.model.CharTokenizer;
import org.junit.jupiter.api.Test;

class ExactAnswerRewardTest {

  private final ExactAnswerReward reward = new ExactAnswerReward();
  private final CharTokenizer tok = new CharTokenizer();

  private double score(String answer, int[] response, boolean terminated) {
    return reward.score(new TaskInstance("123=", answer), tok.decode(response), terminated);
  }

  @Test
  void onlyTheExactTerminatedAnswerEarnsFullReward() {
    assertEquals(1.0, score("321", tok.encode("321"), true));
    assertEquals(0.5, score("321", tok.encode("321"), false));
    assertEquals(0.5 * 2 / 3, score("321", tok.encode("391"), true), 1e-12);
    assertEquals(0.5 * 3 / 5, score("321", tok.encode("32199"), false), 1e-12);
  }

  @Test
  void paddingAnAnswerScoresBelowEndingIt() {
    int[] padded = {tok.encode("3")[0], tok.encode("2")[0], tok.encode("1")[0], CharTokenizer.PAD, CharTokenizer.PAD};
    double pad = score("321", padded, false);
    assertEquals(0.5 * 3 / 5, pad, 1e-12);
    assertTrue(pad < score("321", tok.encode("321"), false));
  }
}
