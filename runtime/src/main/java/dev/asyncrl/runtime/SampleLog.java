package dev.asyncrl.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.core.JsonLines;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.model.Tokenizer;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code samples.jsonl} in the run folder: per step, the first response of each of the step's first
 * {@code trainer.log_samples} trained groups, decoded, with its reward and staleness, so what the policy writes
 * can be read as it trains (like TRL's {@code log_completions}).
 */
final class SampleLog implements AutoCloseable {

  private final JsonLines.Appender out;
  private final Tokenizer tokenizer;
  private final int perStep;

  SampleLog(Path file, Tokenizer tokenizer, int perStep) {
    this.out = new JsonLines.Appender(file);
    this.tokenizer = tokenizer;
    this.perStep = perStep;
  }

  void record(StepReport r) {
    for (int g = 0; g < Math.min(perStep, r.trained().size()); g++) {
      TrajectoryGroup group = r.trained().get(g);
      Trajectory t = group.trajectories().get(0);
      ObjectNode line = JsonNodeFactory.instance.objectNode();
      line.put("step", r.step());
      line.put("group", group.groupId());
      line.put("staleness", r.trainedStaleness().get(g));
      line.put("reward", t.reward());
      line.put("group_reward_mean", Arrays.stream(group.rewards()).average().orElse(0));
      line.put("response_tokens", t.responseTokens().length);
      line.put("prompt", tokenizer.transcript(t.promptTokens()));
      if (t.modelTokens() == t.responseTokens().length) {
        line.put("response", tokenizer.decode(t.responseTokens()));
      } else { // an episode: the model's turns and the environment's answers, in order
        line.put("turns", t.turns());
        ArrayNode segments = line.putArray("episode");
        int start = 0;
        for (int end : t.segmentEnds()) {
          segments.add(tokenizer.transcript(Arrays.copyOfRange(t.responseTokens(), start, end)));
          start = end;
        }
      }
      out.append(line);
    }
  }

  @Override
  public void close() {
    out.close();
  }
}
