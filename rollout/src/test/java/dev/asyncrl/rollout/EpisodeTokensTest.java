package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.model.CharTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A real worker runs guessing-game episodes with the built-in model; every trajectory it appends is, turn by
 * turn, exactly the ids the model sampled (mask 1, with their log-probs) and the ids of what the environment
 * answered (mask 0, log-prob 0), and its reward is the sum of what the environment gave.
 */
class EpisodeTokensTest {

  /** What one episode's environment received and said. */
  record Log(String opening, List<String> actions, List<String> observations, List<Double> rewards) {}

  /** The guessing game, recording every episode. */
  static final class Recorded implements EnvironmentProvider {
    final GuessEnvironment game = new GuessEnvironment();
    final List<Log> logs = new CopyOnWriteArrayList<>();

    Recorded() {
      TaskParameters params = new TaskParameters("guess", Map.of());
      game.configure(params);
    }

    @Override
    public String name() {
      return "recorded-guess";
    }

    @Override
    public Environment create() {
      Environment inner = game.create();
      Log log = new Log(null, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
      return new Environment() {
        Log current = log;

        @Override
        public String reset(long instance) throws Exception {
          String first = inner.reset(instance);
          current = new Log(first, current.actions(), current.observations(), current.rewards());
          logs.add(current);
          return first;
        }

        @Override
        public Step step(Action action) throws Exception {
          Step s = inner.step(action);
          current.actions().add(action.text());
          current.observations().add(s.observation());
          current.rewards().add(s.reward());
          return s;
        }
      };
    }
  }

  @Test
  void trainedIdsAndMasksAreTheSampledIdsAndTheEnvironmentsIdsTurnByTurn() throws Exception {
    Recorded env = new Recorded();
    int horizon = 5;
    WorkerRun.Outcome o = WorkerRun.run(env, 4, 3, 31, 32, HorizonSchedule.fixed(horizon), 0, 12);
    assertNull(o.failure(), () -> "the worker died: " + o.failure());
    assertTrue(o.groups().size() >= 12);
    CharTokenizer tokenizer = new CharTokenizer();
    int multiTurn = 0;
    for (TrajectoryGroup g : o.groups()) {
      for (Trajectory t : g.trajectories()) {
        // Split the response into runs of one mask value: model turns and environment answers alternate.
        List<int[]> runs = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        for (int k = 0, start = 0; k <= t.lossMask().length; k++) {
          if (k == t.lossMask().length || t.lossMask()[k] != t.lossMask()[start]) {
            runs.add(Arrays.copyOfRange(t.responseTokens(), start, k));
            starts.add(start);
            start = k;
          }
        }
        Log log = env.logs.stream().filter(l -> matches(l, t, runs, tokenizer)).findFirst()
            .orElseThrow(() -> new AssertionError("no episode the environment saw has these tokens: " + t));
        assertArrayEquals(tokenizer.encode(log.opening()), t.promptTokens(), "the prompt is the first observation");
        assertEquals(log.actions().size(), t.turns());
        assertTrue(t.turns() <= horizon);
        for (int r = 0; r < runs.size(); r++) {
          int[] run = runs.get(r);
          boolean model = r % 2 == 0;
          assertEquals(model ? 1 : 0, t.lossMask()[starts.get(r)], "turns start with the model");
          for (int k = 0; k < run.length; k++) {
            float logProb = t.behaviourLogProbs()[starts.get(r) + k];
            assertTrue(model ? logProb < 0 : logProb == 0, "log-prob " + logProb);
          }
          if (model) {
            boolean last = r == runs.size() - 1;
            assertTrue(run[run.length - 1] == CharTokenizer.EOS || run.length == 3, "a turn ends with its stop token or at the limit");
            assertTrue(last || Arrays.stream(run).limit(run.length - 1).noneMatch(id -> id == CharTokenizer.EOS));
          } else {
            assertArrayEquals(tokenizer.encode(log.observations().get(r / 2)), run, "environment ids are its answer, encoded");
          }
        }
        assertEquals(log.rewards().stream().mapToDouble(Double::doubleValue).sum(), t.reward(), 1e-12);
        boolean found = t.reward() == 1.0;
        assertTrue(found || t.turns() == horizon, "an episode ends when the number is found or the horizon is reached");
        multiTurn += t.turns() > 1 ? 1 : 0;
      }
    }
    assertTrue(multiTurn > 10, "most episodes take several turns: " + multiTurn);
  }

  /** Whether {@code t}'s model turns decode to the actions {@code log} received, after the same first observation. */
  private static boolean matches(Log log, Trajectory t, List<int[]> runs, CharTokenizer tokenizer) {
    if (log.opening() == null || !Arrays.equals(tokenizer.encode(log.opening()), t.promptTokens())
        || log.actions().size() != (runs.size() + 1) / 2) {
      return false;
    }
    for (int r = 0; r < runs.size(); r += 2) {
      if (!tokenizer.decode(runs.get(r)).equals(log.actions().get(r / 2))) {
        return false;
      }
    }
    return true;
  }
}
