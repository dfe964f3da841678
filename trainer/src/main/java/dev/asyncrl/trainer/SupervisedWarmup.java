package dev.asyncrl.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.gpu.Autograd;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.gpu.HostData;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.TransformerPolicy.Scoring;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning on demonstrations before RL ({@code sft.steps}): each step minimises the mean negative
 * log-likelihood of the demonstrations' trained tokens (mask 1: the turns; the prompt and the environment's tokens
 * are context only), {@code −Σ mask·log πθ / Σ mask} at temperature 1, with one AdamW update and the trainer's
 * gradient clipping. A model that has never seen a task's format (a tool call, an answer's shape) thereby starts
 * RL from episodes that earn some reward.
 */
public final class SupervisedWarmup {

  private final TransformerPolicy policy;
  private final AdamW optimizer;
  private final double gradClip;
  private final int microBatchRows;

  /** @param microBatchRows demonstrations per forward/backward pass (0 = the whole batch at once) */
  public SupervisedWarmup(TransformerPolicy policy, AdamW optimizer, double gradClip, int microBatchRows) {
    this.policy = policy;
    this.optimizer = optimizer;
    this.gradClip = gradClip;
    this.microBatchRows = microBatchRows;
  }

  /**
   * One update on {@code demonstrations} at learning rate {@code lr}: {@code sft/loss} (mean NLL per trained token,
   * before the update), {@code sft/p_over_half} (share of trained tokens the model gives probability above 1/2,
   * so that greedy decoding picks them), {@code sft/grad_norm} and {@code sft/tokens}.
   */
  public Map<String, Double> step(List<Trajectory> demonstrations, double lr) {
    ComputeThread.inferenceOnly();
    TrainBatch batch = TrainBatch.assemble(List.of(new TrajectoryGroup(0, "sft", demonstrations, 0, 0)), 0);
    int rows = batch.rows();
    int micro = microBatchRows <= 0 ? rows : microBatchRows;
    int from = batch.firstTrainedColumn();
    double tokens = batch.trainedTokens();
    double[] sums; // Σ mask·log πθ and the count of trained tokens with p > 1/2, over every micro-batch
    try (NDScope ignored = new NDScope()) {
      TrainBatch.OnDevice on = batch.upload(policy.manager(), policy.dataType(), null);
      Scoring all = new Scoring(1.0, from, on.mask(), false);
      NDArray totals = null;
      for (int r = 0; r < rows; r += micro) {
        int end = Math.min(rows, r + micro);
        Scoring part = all.rows(r, end);
        NDArray mask = part.columns();
        try (GradientCollector gc = Autograd.collector()) {
          NDArray logProbs = policy.trainingScore(on.tokens().get(new NDIndex("{}:{}", r, end)), part)
              .singletonOrThrow();                                                          // [rows, T-1]
          NDArray logLikelihood = logProbs.mul(mask).sum();
          gc.backward(HostData.dividedBy(logLikelihood.neg(), Math.max(1, tokens)));
          NDArray sure = logProbs.stopGradient().gt(Math.log(0.5)).toType(logProbs.getDataType(), false)
              .mul(mask).sum();
          NDArray both = logLikelihood.stopGradient().stack(sure);                          // [2]
          totals = totals == null ? both : totals.add(both);
        }
      }
      sums = totals.toType(DataType.FLOAT64, false).toDoubleArray(); // one host read for the step
    }
    double gradNorm = optimizer.gradientNorm();
    if (tokens == 0 || !Double.isFinite(gradNorm)) {
      optimizer.zeroGradients();
    } else {
      optimizer.step(lr, AdamW.clipScale(gradNorm, gradClip));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("sft/loss", -sums[0] / Math.max(1, tokens));
    metrics.put("sft/p_over_half", sums[1] / Math.max(1, tokens));
    metrics.put("sft/grad_norm", gradNorm);
    metrics.put("sft/tokens", tokens);
    return metrics;
  }
}
