package dev.asyncrl.rollout;

import java.util.SplittableRandom;

/**
 * A single-turn {@link Task} as environments: the prompt is the first observation, the response the one turn,
 * and the task's reward function scores it. Single-turn training is the one-turn case of episodes.
 */
final class SingleTurnTask implements EnvironmentProvider {

  private final Task task;
  private final boolean heldOut;

  SingleTurnTask(Task task) {
    this(task, false);
  }

  /** @param heldOut instance {@code i} is held-out problem {@code i} ({@link Task#evaluationSet}), not a drawn one */
  SingleTurnTask(Task task, boolean heldOut) {
    this.task = task;
    this.heldOut = heldOut;
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
        instance = heldOut ? task.evaluationSet().get(Math.toIntExact(seed)) : task.next(new SplittableRandom(seed));
        return instance.prompt();
      }

      @Override
      public Step step(Action action) {
        return Step.end(task.reward().score(instance, action.text(), action.terminated()));
      }
    };
  }
}
