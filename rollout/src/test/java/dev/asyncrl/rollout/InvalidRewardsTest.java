package dev.asyncrl.rollout;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
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

/** A reward function that returns NaN or throws costs its group, is counted and logged, and stops the run only past the limit. */
class InvalidRewardsTest {

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

  record Outcome(List<TrajectoryGroup> groups, long invalid, Throwable failure, List<String> log) {}

  /** Runs one worker until {@code groups} groups were admitted (or it failed), with the given tolerance. */
  static Outcome run(int limit, int groups) throws Exception {
    List<String> log = new ArrayList<>();
    InvalidRewards invalid = new InvalidRewards(limit, log::add);
    StalenessGate gate = new StalenessGate(1000, 1);
    WeightChannel<PolicyWeights> channel = new WeightChannel<>(2, PolicyWeights::close);
    try (TransformerPolicy policy = TransformerPolicy.initialize(new GptShape(32, 1, 2, 64, 16), new CharTokenizer().vocabSize(), 1, Device.cpu(),
        DataType.FLOAT32);
         InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(1000)) {
      channel.publish(0, PolicyWeights.copyOf(policy));
      CharTokenizer tokenizer = new CharTokenizer();
      RolloutWorker worker = new RolloutWorker(new RolloutWorker.Setup(0, policy, new FlakyTask(),
          Prompting.raw(tokenizer), new SamplingParams(4, 1.0, 0, 1.0, tokenizer.stopTokens()), 4, 4, 8, false, 0, 7, 0,
          invalid),
          channel, gate, store);
      Throwable[] failure = new Throwable[1];
      Thread t = new Thread(() -> {
        try {
          worker.run();
        } catch (Throwable e) {
          failure[0] = e;
        }
      });
      t.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (t.isAlive() && store.buffered() + invalid.count() / 4 < groups && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      worker.stop();
      gate.close();
      t.join(10_000);
      List<TrajectoryGroup> out = new ArrayList<>();
      for (TrajectoryGroup g; (g = store.poll(Duration.ZERO)) != null; ) {
        out.add(g);
      }
      return new Outcome(out, invalid.count(), failure[0], log);
    } finally {
      channel.close();
    }
  }

  @Test
  void groupsWithAnInvalidRewardAreSkippedCountedAndLoggedOnce() throws Exception {
    Outcome o = run(1_000_000, 30);
    assertNull(o.failure(), () -> "the worker died: " + o.failure());
    assertTrue(o.invalid() >= 5, "invalid rewards counted: " + o.invalid());
    assertFalse(o.groups().isEmpty());
    for (TrajectoryGroup g : o.groups()) {
      assertEquals(4, g.trajectories().size());
      for (double r : g.rewards()) {
        assertTrue(Double.isFinite(r));
      }
    }
    assertEquals(1, o.log().size(), () -> String.join("\n", o.log()));
    assertTrue(o.log().get(0).startsWith("warning: the reward function of task 'flaky' ("), o.log().get(0));
    assertTrue(o.log().get(0).contains("for the prompt '"), o.log().get(0));
  }

  @Test
  void pastTheLimitTheWorkerStopsWithAnErrorNamingTheRewardFunction() throws Exception {
    Outcome o = run(3, 1000);
    assertInstanceOf(InvalidRewards.RewardFunctionException.class, o.failure());
    assertTrue(o.failure().getMessage().startsWith("the reward function of task 'flaky' ("), o.failure().getMessage());
    assertTrue(o.failure().getMessage().contains("4 invalid rewards, more than rollout.max_invalid_rewards = 3"),
        o.failure().getMessage());
  }
}
