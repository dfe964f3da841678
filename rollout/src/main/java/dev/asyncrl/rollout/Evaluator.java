package dev.asyncrl.rollout;

import dev.asyncrl.model.Generation;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Accuracy on a task's held-out problems: greedy decoding (top-k 1), in batches, scored by the task's reward
 * (a problem counts as solved when its reward is 1). Deterministic for given weights.
 */
public final class Evaluator {

  private final Task task;
  private final Prompting prompting;
  private final List<TaskInstance> problems;
  private final int[][] prompts;
  private final SamplingParams greedy;
  private final int batchSize;

  /** Formats and tokenizes the held-out prompts once; every evaluation reuses them. */
  public Evaluator(Task task, Prompting prompting, int maxNewTokens, int batchSize) {
    this.task = task;
    this.prompting = prompting;
    this.problems = task.evaluationSet();
    this.prompts = problems.stream().map(p -> prompting.encode(p.prompt())).toArray(int[][]::new);
    this.greedy = new SamplingParams(maxNewTokens, 1.0, 1, 1.0, prompting.tokenizer().stopTokens());
    this.batchSize = batchSize;
  }

  /** {@code eval/accuracy}, {@code eval/reward_mean}, {@code eval/response_len_mean}, {@code eval/problems}. */
  public Map<String, Double> evaluate(TransformerPolicy policy) {
    double solved = 0;
    double rewardSum = 0;
    double lengthSum = 0;
    for (int from = 0; from < problems.size(); from += batchSize) {
      int to = Math.min(problems.size(), from + batchSize);
      List<TaskInstance> batch = problems.subList(from, to);
      Generation g = Sampler.generate(policy, Arrays.copyOfRange(prompts, from, to), greedy, new SplittableRandom(0));
      for (int i = 0; i < batch.size(); i++) {
        int[] response = g.tokens()[i];
        boolean terminated = response.length > 0 && greedy.isStop(response[response.length - 1]);
        double r = task.reward().score(batch.get(i), prompting.tokenizer().decode(response), terminated);
        rewardSum += r;
        solved += r >= 1.0 ? 1 : 0;
        lengthSum += response.length;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    int n = Math.max(1, problems.size());
    out.put("eval/accuracy", solved / n);
    out.put("eval/reward_mean", rewardSum / n);
    out.put("eval/response_len_mean", lengthSum / n);
    out.put("eval/problems", (double) problems.size());
    return out;
  }
}
