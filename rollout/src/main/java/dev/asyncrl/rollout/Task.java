package dev.asyncrl.rollout;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/** A source of prompts with a verifiable reward. */
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
