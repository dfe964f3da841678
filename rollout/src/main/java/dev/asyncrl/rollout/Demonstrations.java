package dev.asyncrl.rollout;

import dev.asyncrl.core.Trajectory;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Episodes played from an environment's {@link EnvironmentProvider#demonstration demonstrations} instead of
 * sampled, for supervised warm-up ({@code sft.steps}). A demonstration's turns are tokenized as the model would
 * write them (the text's tokens, then {@link Prompting#turnEnd}) and go through the environment and the chat
 * template exactly as sampled turns do, so its trajectory has the same layout as a rollout's: the turns' tokens
 * with mask 1, the environment's with mask 0. The instances are drawn from the job's seed, apart from
 * evaluation's {@code 0 .. eval_size - 1}.
 */
public final class Demonstrations {

  private final EnvironmentProvider environments;
  private final Prompting prompting;
  private final int maxLength;
  private final int turnEnd;
  private final SplittableRandom instances;

  /** @param maxLength the most tokens a demonstration may take, prompt included ({@code model.max_seq_len}) */
  public Demonstrations(EnvironmentProvider environments, Prompting prompting, int maxLength, long seed) {
    this.environments = environments;
    this.prompting = prompting;
    this.maxLength = maxLength;
    this.turnEnd = prompting.turnEnd();
    this.instances = new SplittableRandom(seed ^ 0x5f7e_d3a1_9c4bL);
  }

  /** The next {@code n} demonstrations, each of a fresh random instance. */
  public List<Trajectory> next(int n) throws Exception {
    Trajectory[] out = new Trajectory[n];
    for (int i = 0; i < n; i++) {
      out[i] = play(instances.nextLong() & Long.MAX_VALUE);
    }
    return List.of(out);
  }

  /**
   * Instance {@code instance}'s demonstration as a trajectory; its reward is what the environment paid for it.
   *
   * @throws IllegalStateException when the provider has no demonstration of it, or it is longer than the model's
   *     context
   */
  public Trajectory play(long instance) throws Exception {
    List<String> turns = environments.demonstration(instance);
    if (turns.isEmpty()) {
      throw new IllegalStateException("environment '" + environments.name() + "' gives no demonstration of instance "
          + instance);
    }
    try (Environment env = environments.create()) {
      Prompting.Dialogue dialogue = prompting.dialogue();
      Episode episode = new Episode(env, dialogue);
      String opening = env.reset(instance);
      episode.open(opening, dialogue.open(opening));
      for (int k = 0; k < turns.size(); k++) {
        String text = turns.get(k);
        int[] ids = IntStream.concat(Arrays.stream(prompting.tokenizer().encode(text)), IntStream.of(turnEnd))
            .toArray();
        episode.addTurn(ids);
        Environment.Step step = Episode.checked(env.step(new Environment.Action(text, true)), true);
        episode.addReward(step.reward());
        if (step.done()) {
          break;
        }
        if (k == turns.size() - 1) {
          throw new IllegalStateException("environment '" + environments.name() + "': the demonstration of instance "
              + instance + " ended after " + turns.size() + " turns and the episode is not over");
        }
        episode.addObservation(dialogue.reply(ids, text, true, step.observation(), step.role()));
      }
      if (episode.contextLength() > maxLength) {
        throw new IllegalStateException("environment '" + environments.name() + "': the demonstration of instance "
            + instance + " takes " + episode.contextLength() + " tokens, more than model.max_seq_len " + maxLength);
      }
      return episode.trajectory(0);
    }
  }
}
