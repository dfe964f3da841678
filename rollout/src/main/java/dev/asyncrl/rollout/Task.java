package dev.asyncrl.rollout;

import java.util.SplittableRandom;

/** A source of prompts with a verifiable reward. */
public interface Task {

  String name();

  TaskInstance next(SplittableRandom rng);

  RewardFunction reward();

  /** Every prompt of this task has this many characters (tokens, with the built-in tokenizer). */
  int promptLength();

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
