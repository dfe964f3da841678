package dev.asyncrl.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.asyncrl.algorithms.LossAggregation;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.algorithms.GroupFilter;
import dev.asyncrl.algorithms.EntropyBonus;
import dev.asyncrl.algorithms.KlPenalty;
import dev.asyncrl.algorithms.LearningRateScaling;
import dev.asyncrl.algorithms.LossInputs;
import dev.asyncrl.algorithms.PpoClipLoss;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.TransformerPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gradient of (model → next-token log-probs → PPO loss) agrees with central differences in float64. */
class ModelLossGradientTest {

  static final Algorithm LOSS = new Algorithm("ppo-clip", GroupFilter.NONE, null, new PpoClipLoss(0.2, 0.2, 3),
      LossAggregation.TOKEN_MEAN, KlPenalty.OFF, EntropyBonus.OFF, LearningRateScaling.NONE);
  static final double[][] ADVANTAGES = {{0.9, -0.9}};

  static TrainBatch batch() {
    // Two responses of different lengths: exercises right padding and the prompt/response alignment.
    Trajectory a = new Trajectory(new int[] {2, 3, 4}, new int[] {5, 6, 1}, new float[] {-2.1f, -2.9f, -2.5f},
        new byte[] {1, 1, 1}, 1.0, 0, 0, 0);
    Trajectory b = new Trajectory(new int[] {2, 3, 4}, new int[] {7}, new float[] {-2.6f}, new byte[] {1}, 0.0, 0, 0, 0);
    return TrainBatch.assemble(List.of(new TrajectoryGroup(0, "t", List.of(a, b), 0, 0)), 0);
  }

  static double loss(TransformerPolicy p, TrainBatch batch) {
    try (NDScope ignored = new NDScope()) {
      NDManager m = p.manager();
      return evaluate(p, batch, m).getDouble();
    }
  }

  static NDArray evaluate(TransformerPolicy p, TrainBatch batch, NDManager m) {
    TrainBatch.OnDevice on = batch.upload(m, DataType.FLOAT64, ADVANTAGES);
    NDArray logp = p.nextTokenLogProbs(on.tokens(), 1.0);
    NDArray old = on.behaviour(); // fixed ratios' denominator: ratios far from 1
    return LOSS.objective(new LossInputs(logp, logp.stopGradient(), old, old, null, null, on.advantages(), on.mask(), 3, 2))
        .loss();
  }

  @Test
  void parameterGradientsMatchFiniteDifferences() {
    ComputeThread.inferenceOnly();
    GptShape mc = new GptShape(8, 2, 2, 16, 8);
    TrainBatch batch = batch();
    try (TransformerPolicy p = TransformerPolicy.initialize(mc, 10, 5, Device.cpu(), DataType.FLOAT64);
         NDManager scratch = NDManager.newBaseManager()) {
      // Larger weights than the default init so every path carries signal.
      NDList scaled = p.copyWeights(scratch);
      for (NDArray w : scaled) {
        if (w.getShape().dimension() == 2) {
          w.muli(20);
        }
      }
      p.loadWeights(scaled);
      p.setTrainable(true);
      try (NDScope ignored = new NDScope(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(evaluate(p, batch, p.manager()));
      }
      List<String> checked = List.of("tok_emb", "pos_emb", "blocks.0.attn.qkv.weight", "blocks.1.mlp.fc.weight",
          "blocks.1.ln2.weight", "lm_head.weight");
      java.util.Map<String, double[]> gradients = new java.util.HashMap<>();
      for (String name : checked) {
        try (NDArray g = p.parameters().get(name).getGradient()) {
          gradients.put(name, g.toDoubleArray());
        }
      }
      p.setTrainable(false);
      for (String name : checked) {
        double[] analytic = gradients.get(name);
        double[] base = p.parameters().get(name).toDoubleArray();
        for (int i = 0; i < base.length; i += Math.max(1, base.length / 5)) {
          double h = 1e-6;
          double plus = withEntry(p, name, base, i, base[i] + h, batch);
          double minus = withEntry(p, name, base, i, base[i] - h, batch);
          withEntry(p, name, base, i, base[i], batch);
          double numeric = (plus - minus) / (2 * h);
          assertEquals(numeric, analytic[i], 1e-6 + 1e-5 * Math.abs(numeric), name + "[" + i + "]");
        }
      }
    }
  }

  private static double withEntry(TransformerPolicy p, String name, double[] base, int i, double value, TrainBatch b) {
    double[] changed = base.clone();
    changed[i] = value;
    NDArray target = p.parameters().get(name);
    try (NDManager tmp = NDManager.newBaseManager()) {
      target.set(tmp.create(changed, target.getShape()).toByteBuffer());
    }
    return loss(p, b);
  }
}
