package dev.asyncrl.rollout;

import dev.asyncrl.model.Generation;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Success on a fixed set of episodes (task instances {@code 0 .. episodes-1}) of a multi-turn environment:
 * greedy decoding (top-k 1), turn by turn in batches, each episode played to its end or the horizon. An episode
 * counts as solved when its reward is at least 1. Deterministic for given weights and a deterministic
 * environment. An episode whose environment throws counts as unsolved with reward 0, and is counted.
 */
public final class EpisodeEvaluator {

  private final EnvironmentProvider environments;
  private final Prompting prompting;
  private final int episodes;
  private final int horizon;
  private final int maxContext;
  private final SamplingParams greedy;
  private final int batchSize;
  private final Consumer<String> log;

  /**
   * @param horizon    the most turns an episode takes
   * @param maxContext the longest context a turn may start from (model.max_seq_len - 1)
   */
  public EpisodeEvaluator(EnvironmentProvider environments, Prompting prompting, int episodes, int horizon,
      int maxContext, int maxNewTokens, int batchSize, Consumer<String> log) {
    this.environments = environments;
    this.prompting = prompting;
    this.episodes = episodes;
    this.horizon = horizon;
    this.maxContext = maxContext;
    this.greedy = new SamplingParams(maxNewTokens, 1.0, 1, 1.0, prompting.tokenizer().stopTokens());
    this.batchSize = batchSize;
    this.log = log;
  }

  /** One episode being evaluated. */
  private static final class Play {
    Environment env;
    Prompting.Dialogue dialogue;
    int[] context;
    double reward;
    int turns;
    boolean over;
    boolean failed;
  }

  /**
   * {@code eval/accuracy} (share solved), {@code eval/reward_mean}, {@code eval/turns_mean},
   * {@code eval/solved_turns_mean} (turns of the solved episodes; 0 when none), {@code eval/episodes},
   * {@code eval/failed_episodes}.
   */
  public Map<String, Double> evaluate(TransformerPolicy policy) {
    warned = false;
    List<Play> plays = new ArrayList<>();
    try {
      for (int i = 0; i < episodes; i++) {
        Play p = new Play();
        plays.add(p);
        try {
          p.env = environments.create();
          p.dialogue = prompting.dialogue();
          p.context = p.dialogue.open(p.env.reset(i));
          p.over = p.context.length == 0 || p.context.length > maxContext;
        } catch (Exception | LinkageError e) {
          fail(p, "reset of instance " + i + " threw " + e);
        }
      }
      for (int turn = 1; turn <= horizon; turn++) {
        List<Play> live = plays.stream().filter(p -> !p.over).toList();
        for (int from = 0; from < live.size(); from += batchSize) {
          List<Play> batch = live.subList(from, Math.min(live.size(), from + batchSize));
          Generation g = Sampler.generate(policy, batch.stream().map(p -> p.context).toArray(int[][]::new), greedy,
              new SplittableRandom(0));
          for (int b = 0; b < batch.size(); b++) {
            play(batch.get(b), g.tokens()[b], turn == horizon);
          }
        }
      }
    } finally {
      for (Play p : plays) {
        close(p);
      }
    }
    return metrics(plays);
  }

  /** Hands one turn to the environment and appends what comes back. */
  private void play(Play p, int[] ids, boolean lastTurn) {
    Environment.Action action = prompting.action(ids, greedy);
    p.turns++;
    Environment.Step step;
    try {
      step = Episode.checked(p.env.step(action), !lastTurn);
    } catch (Episode.InvalidStepException e) {
      fail(p, e.getMessage());
      return;
    } catch (Exception | LinkageError e) {
      fail(p, "step threw " + e);
      return;
    }
    p.reward += step.reward();
    if (step.done() || lastTurn) {
      p.over = true;
      return;
    }
    int[] between = p.dialogue.reply(ids, action.text(), action.terminated(), step.observation(), step.role());
    int[] next = new int[p.context.length + ids.length + between.length];
    System.arraycopy(p.context, 0, next, 0, p.context.length);
    System.arraycopy(ids, 0, next, p.context.length, ids.length);
    System.arraycopy(between, 0, next, p.context.length + ids.length, between.length);
    p.context = next;
    p.over = next.length > maxContext;
  }

  private boolean warned; // this evaluation logged a failure already

  private void fail(Play p, String problem) {
    if (!warned) {
      warned = true;
      log.accept("warning: an evaluation episode of environment '" + environments.name() + "' failed: " + problem
          + " (counted as eval/failed_episodes)");
    }
    p.failed = true;
    p.over = true;
    p.reward = 0;
  }

  private static void close(Play p) {
    if (p.env != null) {
      try {
        p.env.close();
      } catch (Exception e) {
        // the episode is over; nothing more to do with it
      }
    }
  }

  private Map<String, Double> metrics(List<Play> plays) {
    double solved = 0;
    double rewardSum = 0;
    double turnSum = 0;
    double solvedTurns = 0;
    double failed = 0;
    for (Play p : plays) {
      rewardSum += p.reward;
      turnSum += p.turns;
      failed += p.failed ? 1 : 0;
      if (!p.failed && p.reward >= 1.0) {
        solved++;
        solvedTurns += p.turns;
      }
    }
    int n = Math.max(1, plays.size());
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("eval/accuracy", solved / n);
    out.put("eval/reward_mean", rewardSum / n);
    out.put("eval/turns_mean", turnSum / n);
    out.put("eval/solved_turns_mean", solved == 0 ? 0 : solvedTurns / solved);
    out.put("eval/episodes", (double) plays.size());
    out.put("eval/failed_episodes", failed);
    return out;
  }
}
