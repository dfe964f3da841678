package dev.asyncrl.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asyncrl.core.JsonLines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * Math word problems from JSONL files: GSM8K ({@code question}, {@code answer} ending in {@code #### 72})
 * or MATH ({@code problem}, {@code solution} with a {@code \boxed{}} answer, or a plain {@code answer}),
 * field names configurable. Each question goes through the prompt template ({@code {question}} is replaced);
 * the reward is 1 when the response's final answer is equivalent to the reference ({@link MathAnswers}),
 * else 0.
 */
public final class MathTask implements Task {

  private final List<TaskInstance> train;
  private final List<TaskInstance> eval;
  private final RewardFunction reward = (instance, response, terminated) ->
      MathAnswers.correct(response, instance.answer()) ? 1.0 : 0.0;

  private MathTask(List<TaskInstance> train, List<TaskInstance> eval) {
    this.train = List.copyOf(train);
    this.eval = List.copyOf(eval);
  }

  /**
   * @param evalFile null = no held-out set
   * @param evalSize use the first this many held-out problems; 0 = all
   */
  public static MathTask load(Path trainFile, Path evalFile, String questionField, String answerField, String template,
      int evalSize) {
    if (!template.contains("{question}")) {
      throw new IllegalArgumentException("task.prompt_template must contain {question}, got \"" + template + "\"");
    }
    List<TaskInstance> train = read(trainFile, questionField, answerField, template);
    List<TaskInstance> eval = evalFile == null ? List.of() : read(evalFile, questionField, answerField, template);
    if (evalSize > 0 && eval.size() > evalSize) {
      eval = eval.subList(0, evalSize);
    }
    return new MathTask(train, eval);
  }

  static List<TaskInstance> read(Path file, String questionField, String answerField, String template) {
    List<TaskInstance> out = new ArrayList<>();
    for (JsonLines.Line line : JsonLines.read(file)) {
      String question = text(line, questionField, file);
      String answer = referenceAnswer(text(line, answerField, file));
      if (answer.isEmpty()) {
        throw line.error(file, "\"" + answerField + "\" states no final answer");
      }
      out.add(new TaskInstance(template.replace("{question}", question), answer));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no problems (empty file)");
    }
    return out;
  }

  private static String text(JsonLines.Line line, String field, Path file) {
    JsonNode v = line.value().get(field);
    if (v == null || v.isNull() || v.isContainerNode()) {
      throw line.error(file, "no \"" + field + "\" field (set task.question_field / task.answer_field to this "
          + "file's names)");
    }
    return v.asText();
  }

  /** The final answer of a reference field: after {@code ####}, inside the last box, or the whole (short) text. */
  static String referenceAnswer(String field) {
    if (field.contains("####") || field.contains("\\boxed") || field.contains("\\fbox")) {
      return MathAnswers.extract(field).orElse("");
    }
    return field.strip();
  }

  @Override
  public String name() {
    return "math";
  }

  @Override
  public TaskInstance next(SplittableRandom rng) {
    return train.get(rng.nextInt(train.size()));
  }

  @Override
  public RewardFunction reward() {
    return reward;
  }

  @Override
  public int longestPrompt(ToIntFunction<String> tokens) {
    int longest = 0;
    for (TaskInstance t : train) {
      longest = Math.max(longest, tokens.applyAsInt(t.prompt()));
    }
    for (TaskInstance t : eval) {
      longest = Math.max(longest, tokens.applyAsInt(t.prompt()));
    }
    return longest;
  }

  @Override
  public List<TaskInstance> evaluationSet() {
    return eval;
  }
}
