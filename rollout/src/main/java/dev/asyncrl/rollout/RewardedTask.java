package dev.asyncrl.rollout;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/** A single-turn task whose responses a user's {@link RewardFunction} scores ({@code task.reward_class}). */
public final class RewardedTask implements Task {

  private final Task task;
  private final RewardFunction reward;

  public RewardedTask(Task task, RewardFunction reward) {
    this.task = task;
    this.reward = reward;
  }

  @Override
  public String name() {
    return task.name();
  }

  @Override
  public TaskInstance next(SplittableRandom rng) {
    return task.next(rng);
  }

  @Override
  public RewardFunction reward() {
    return reward;
  }

  @Override
  public int longestPrompt(ToIntFunction<String> tokens) {
    return task.longestPrompt(tokens);
  }

  @Override
  public List<TaskInstance> evaluationSet() {
    return task.evaluationSet();
  }
}
