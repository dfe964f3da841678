package dev.asyncrl.rollout;

import java.util.SplittableRandom;

/**
 * A single-turn {@link Task} as environments: the prompt is the first observation, the response the one turn,
 * and the task's reward function scores it. Single-turn training is the one-turn case of episodes.
 */
final class SingleTurnTask implements EnvironmentProvider {

  private final Task task;

  SingleTurnTask(Task task) {
    this.task = task;
  }

  Task task() {
    return task;
  }

  @Override
  public String name() {
    return task.name();
  }

  @Override
  public Environment create() {
    return new Environment() {
      private TaskInstance instance;

      @Override
      public String reset(long seed) {
        instance = task.next(new SplittableRandom(seed));
        return instance.prompt();
      }

      @Override
      public Step step(Action action) {
        return Step.end(task.reward().score(instance, action.text(), action.terminated()));
      }
    };
  }
}
