package dev.asyncrl.rollout;

/**
 * 1 for exactly the answer followed by the stop token; otherwise partial credit for digits already in the
 * right place: {@code 0.5 · (matching positions) / max(len(answer), len(response))}, at most 0.5. The partial
 * credit gives a random policy a signal to climb; dividing by the response length as well makes trailing
 * characters cost reward, so stopping is learned; only exact, terminated answers reach 1.
 */
public final class ExactAnswerReward implements RewardFunction {

  @Override
  public double score(TaskInstance instance, String response, boolean terminated) {
    String answer = instance.answer();
    if (terminated && response.equals(answer)) {
      return 1.0;
    }
    int matching = 0;
    for (int i = 0; i < Math.min(answer.length(), response.length()); i++) {
      matching += answer.charAt(i) == response.charAt(i) ? 1 : 0;
    }
    return 0.5 * matching / Math.max(answer.length(), response.length());
  }
}
