package dev.asyncrl.rollout;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/** A single-turn task: a source of prompts with a verifiable reward. */
public interface Task {

  String name();

  TaskInstance next(SplittableRandom rng);

  RewardFunction reward();

  /** The longest prompt this task produces, in tokens as {@code tokens} counts them (a formatted, encoded prompt). */
  int longestPrompt(ToIntFunction<String> tokens);

  /** Held-out instances for evaluation during training; empty when the task has none. */
  default List<TaskInstance> evaluationSet() {
    return List.of();
  }

  /** This task as environments: each episode is one turn, scored by {@link #reward}. */
  default EnvironmentProvider environments() {
    return new SingleTurnTask(this);
  }

  /** The held-out problems as environments: instance {@code i} is {@code evaluationSet().get(i)}. */
  default EnvironmentProvider evaluationEnvironments() {
    return new SingleTurnTask(this, true);
  }

  /** The names of the built-in single-turn tasks ({@link #named}, and math with its data). */
  List<String> BUILT_IN = List.of("reverse", "modsum", "addition", "math");

  /** The built-in task called {@code name}. */
  static Task named(String name, int digits) {
    return switch (name) {
      case "modsum" -> new ModularSumTask();
      case "addition" -> new AdditionTask(digits);
      case "reverse" -> new ReverseTask(digits);
      default -> throw new IllegalArgumentException("unknown task '" + name + "'; known: modsum, addition, reverse");
    };
  }
}
