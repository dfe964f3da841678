package dev.asyncrl.rollout;

/** Scores a finished response. Pure and deterministic. */
public interface RewardFunction {

  /**
   * @param response   the decoded response, up to (not including) the stop token
   * @param terminated whether the response ended with a stop token (not cut at max_new_tokens)
   * @return a reward in [0, 1]
   */
  double score(TaskInstance instance, String response, boolean terminated);
}
