package dev.asyncrl.rollout;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.model.CharTokenizer;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** One real rollout worker (the built-in model, random weights) run until it appended enough groups or failed. */
final class WorkerRun {

  record Outcome(List<TrajectoryGroup> groups, long failed, Throwable failure, List<String> log) {}

  /**
   * @param maxContext the longest context a turn starts from; {@code maxSequence} = maxContext + 1 when multi-turn
   * @param done       how many groups appended plus failed episodes / groupSize end the run
   */
  static Outcome run(EnvironmentProvider environments, int groupSize, int maxNewTokens, int maxContext,
      int maxSequence, HorizonSchedule horizon, int limit, int done) throws Exception {
    List<String> log = new ArrayList<>();
    EpisodeFailures failures = new EpisodeFailures(limit, log::add);
    StalenessGate gate = new StalenessGate(1000, 1);
    WeightChannel<PolicyWeights> channel = new WeightChannel<>(2, PolicyWeights::close);
    CharTokenizer tokenizer = new CharTokenizer();
    try (TransformerPolicy policy = TransformerPolicy.initialize(new GptShape(32, 1, 2, 64, maxSequence),
        tokenizer.vocabSize(), 1, Device.cpu(), DataType.FLOAT32);
         InMemoryTrajectoryStore store = new InMemoryTrajectoryStore(1000)) {
      channel.publish(0, PolicyWeights.copyOf(policy));
      RolloutWorker worker = new RolloutWorker(new RolloutWorker.Setup(0, policy, environments, Prompting.raw(tokenizer),
          new SamplingParams(maxNewTokens, 1.0, 0, 1.0, tokenizer.stopTokens()), groupSize, 2 * groupSize, maxContext,
          maxSequence, horizon, 0, false, 0, 7, 0, failures), channel, gate, store);
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
      while (t.isAlive() && store.buffered() + failures.count() / groupSize < done
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      worker.stop();
      gate.close();
      t.join(10_000);
      List<TrajectoryGroup> out = new ArrayList<>();
      for (TrajectoryGroup g; (g = store.poll(Duration.ZERO)) != null; ) {
        out.add(g);
      }
      return new Outcome(out, failures.count(), failure[0], log);
    } finally {
      channel.close();
    }
  }
}
