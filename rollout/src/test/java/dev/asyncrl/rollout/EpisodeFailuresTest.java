package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.model.CharTokenizer;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

/**
 * A reward function that returns NaN or throws, or an environment that throws, costs its group: counted and logged,
 * never a dead worker; the run stops only past the limit.
 */
class EpisodeFailuresTest {

  /** The reverse task, but every 5th score is NaN and every 7th throws. */
  static final class FlakyTask implements Task {
    final ReverseTask base = new ReverseTask(3);
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String name() {
      return "flaky";
    }

    @Override
    public TaskInstance next(SplittableRandom rng) {
      return base.next(rng);
    }

    @Override
    public RewardFunction reward() {
      return (instance, response, terminated) -> {
        int n = calls.incrementAndGet();
        if (n % 7 == 0) {
          throw new IllegalStateException("parser crashed on '" + response + "'");
        }
        return n % 5 == 0 ? Double.NaN : base.reward().score(instance, response, terminated);
      };
    }

    @Override
    public int longestPrompt(ToIntFunction<String> tokens) {
      return base.longestPrompt(tokens);
    }
  }

  /** A multi-turn environment whose every 3rd reset and every 4th step throw (calls counted across episodes). */
  static final class FlakyEnvironment implements EnvironmentProvider {
    final AtomicInteger resets = new AtomicInteger();
    final AtomicInteger steps = new AtomicInteger();

    @Override
    public String name() {
      return "flaky-env";
    }

    @Override
    public Environment create() {
      return new Environment() {
        @Override
        public String reset(long instance) {
          if (resets.incrementAndGet() % 3 == 0) {
            throw new IllegalStateException("server said 503");
          }
          return "1=";
        }

        @Override
        public Step step(Action action) {
          if (steps.incrementAndGet() % 4 == 0) {
            throw new IllegalStateException("tool crashed");
          }
          return action.text().length() > 1 ? Step.end(1) : Step.next("+");
        }
      };
    }
  }

  static WorkerRun.Outcome run(int limit, int groups) throws Exception {
    return WorkerRun.run(new FlakyTask().environments(), 4, 4, 4, 16, HorizonSchedule.fixed(1), limit, groups);
  }

  @Test
  void groupsWithAnInvalidRewardAreSkippedCountedAndLoggedOnce() throws Exception {
    WorkerRun.Outcome o = run(1_000_000, 30);
    assertNull(o.failure(), () -> "the worker died: " + o.failure());
    assertTrue(o.failed() >= 5, "failed episodes counted: " + o.failed());
    assertFalse(o.groups().isEmpty());
    for (TrajectoryGroup g : o.groups()) {
      assertEquals(4, g.trajectories().size());
      for (double r : g.rewards()) {
        assertTrue(Double.isFinite(r));
      }
    }
    assertEquals(1, o.log().size(), () -> String.join("\n", o.log()));
    assertTrue(o.log().get(0).startsWith("warning: environment 'flaky' (dev.asyncrl.rollout.EpisodeFailuresTest$FlakyTask): "),
        o.log().get(0));
    assertTrue(o.log().get(0).contains("(prompt '"), o.log().get(0));
  }

  @Test
  void pastTheLimitTheWorkerStopsWithAnErrorNamingTheRewardFunction() throws Exception {
    WorkerRun.Outcome o = run(3, 1000);
    assertInstanceOf(EpisodeFailures.TooManyFailuresException.class, o.failure());
    assertTrue(o.failure().getMessage().startsWith("environment 'flaky' (dev.asyncrl.rollout.EpisodeFailuresTest$FlakyTask"),
        o.failure().getMessage());
    assertTrue(o.failure().getMessage().contains("4 failed episodes, more than rollout.max_failed_episodes = 3"),
        o.failure().getMessage());
  }

  @Test
  void anEnvironmentThatThrowsCostsItsEpisodesNotTheWorker() throws Exception {
    FlakyEnvironment env = new FlakyEnvironment();
    WorkerRun.Outcome o = WorkerRun.run(env, 2, 3, 15, 16, HorizonSchedule.fixed(4), 1_000_000, 20);
    assertNull(o.failure(), () -> "the worker died: " + o.failure());
    assertTrue(o.failed() >= 5, "failed episodes: " + o.failed());
    assertTrue(env.resets.get() >= 3 && env.steps.get() >= 4, "both kinds of failure happened");
    assertFalse(o.groups().isEmpty(), "groups without a failure were appended");
    assertEquals(1, o.log().size(), () -> String.join("\n", o.log()));
    assertTrue(o.log().get(0).contains("environment 'flaky-env' (dev.asyncrl.rollout.EpisodeFailuresTest$FlakyEnvironment): "),
        o.log().get(0));
  }
}
