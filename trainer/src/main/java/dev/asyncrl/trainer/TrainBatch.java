package dev.asyncrl.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import java.util.List;

/**
 * Groups laid out for one forward pass. Row {@code i} is prompt ++ response, right-padded to {@code T}.
 * Per-token arrays have {@code T−1} columns aligned with the model's next-token log-probs: column {@code j}
 * scores token {@code j+1}, so response token {@code k} of row {@code i} sits at column {@code P_i + k − 1}.
 * Prompt and padding columns have mask 0.
 *
 * @param lengths prompt + response length of each row (the rest of the row is padding)
 * @param onPolicy per column, 1 for a response token sampled by the weights the trainer holds at the start of
 *     the step (so its behaviour log-prob and the trainer's should agree up to numerics), else 0
 */
public record TrainBatch(
    int rows,
    int width,
    long[] tokens,
    float[] behaviourLogProbs,
    float[] mask,
    int[] lengths,
    int trainedTokens,
    float[] onPolicy) {

  /** @param trainerVersion the version of the weights the trainer holds when the step starts */
  public static TrainBatch assemble(List<TrajectoryGroup> groups, long trainerVersion) {
    int rows = 0;
    int width = 2;
    for (TrajectoryGroup g : groups) {
      for (Trajectory t : g.trajectories()) {
        rows++;
        width = Math.max(width, t.length());
      }
    }
    long[] tokens = new long[rows * width];
    float[] behaviour = new float[rows * (width - 1)];
    float[] mask = new float[rows * (width - 1)];
    float[] onPolicy = new float[rows * (width - 1)];
    int[] lengths = new int[rows];
    int row = 0;
    int trained = 0;
    for (int g = 0; g < groups.size(); g++) {
      List<Trajectory> ts = groups.get(g).trajectories();
      for (int i = 0; i < ts.size(); i++, row++) {
        Trajectory t = ts.get(i);
        int p = t.promptTokens().length;
        for (int k = 0; k < p; k++) {
          tokens[row * width + k] = t.promptTokens()[k];
        }
        for (int k = 0; k < t.responseTokens().length; k++) {
          tokens[row * width + p + k] = t.responseTokens()[k];
          int col = row * (width - 1) + p + k - 1;
          behaviour[col] = t.behaviourLogProbs()[k];
          mask[col] = t.lossMask()[k];
          onPolicy[col] = t.tokenVersions()[k] == trainerVersion ? 1 : 0;
          trained += t.lossMask()[k];
        }
        lengths[row] = t.length();
      }
    }
    return new TrainBatch(rows, width, tokens, behaviour, mask, lengths, trained, onPolicy);
  }

  /** Row {@code r} alone, without its padding: {@code [1, L_r]}. */
  public TrainBatch row(int r) {
    int w = Math.max(2, lengths[r]);
    long[] tok = new long[w];
    float[] beh = new float[w - 1];
    float[] msk = new float[w - 1];
    float[] on = new float[w - 1];
    System.arraycopy(tokens, r * width, tok, 0, w);
    System.arraycopy(onPolicy, r * (width - 1), on, 0, w - 1);
    System.arraycopy(behaviourLogProbs, r * (width - 1), beh, 0, w - 1);
    System.arraycopy(mask, r * (width - 1), msk, 0, w - 1);
    int trained = 0;
    for (float v : msk) {
      trained += (int) v;
    }
    return new TrainBatch(1, w, tok, beh, msk, new int[] {lengths[r]}, trained, on);
  }

  public NDArray tokens(NDManager m) {
    return m.create(tokens, new Shape(rows, width));                               // [N, T]
  }

  public NDArray behaviourLogProbs(NDManager m, DataType dtype) {
    return m.create(behaviourLogProbs, new Shape(rows, width - 1)).toType(dtype, false); // [N, T-1]
  }

  public NDArray mask(NDManager m, DataType dtype) {
    return m.create(mask, new Shape(rows, width - 1)).toType(dtype, false);       // [N, T-1]
  }

  /** Trained response tokens (mask 1) that the trainer's weights at the start of the step sampled. */
  public int onPolicyTokens() {
    int n = 0;
    for (int i = 0; i < onPolicy.length; i++) {
      n += onPolicy[i] * mask[i] > 0 ? 1 : 0;
    }
    return n;
  }

  public NDArray onPolicy(NDManager m, DataType dtype) {
    return m.create(onPolicy, new Shape(rows, width - 1)).toType(dtype, false);   // [N, T-1]
  }

  /** @param advantages one per response, in group order (as the estimator returned them) */
  public NDArray advantages(NDManager m, DataType dtype, double[][] advantages) {
    double[] flat = new double[rows];
    int row = 0;
    for (double[] group : advantages) {
      for (double a : group) {
        flat[row++] = a;
      }
    }
    return m.create(flat, new Shape(rows, 1)).toType(dtype, false);               // [N, 1]
  }
}
