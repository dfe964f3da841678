package dev.asyncrl.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.gpu.HostData;
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
    return HostData.own(m.create(tokens, new Shape(rows, width)));                 // [N, T]
  }

  /** The loss mask on {@code m}'s device, {@code [N, T-1]} (float32): which columns are trained. */
  public NDArray mask(NDManager m) {
    return HostData.own(m.create(mask, new Shape(rows, width - 1)));
  }

  /**
   * The batch on {@code m}'s device in two host-to-device copies: the token ids, and one array holding the
   * behaviour log-probs, the mask, the on-policy flags and the advantages, split there into views.
   *
   * @param advantages one per response, in group order (as the estimator returned them); null when the
   *     caller needs none
   */
  public OnDevice upload(NDManager m, DataType dtype, double[][] advantages) {
    int cells = rows * (width - 1);
    double[] packed = new double[3 * cells + (advantages == null ? 0 : rows)];
    for (int i = 0; i < cells; i++) {
      packed[i] = behaviourLogProbs[i];
      packed[cells + i] = mask[i];
      packed[2 * cells + i] = onPolicy[i];
    }
    int at = 3 * cells;
    for (double[] group : advantages == null ? new double[0][] : advantages) {
      for (double a : group) {
        packed[at++] = a;
      }
    }
    if (at != packed.length) {
      throw new IllegalArgumentException(rows + " rows but " + (at - 3 * cells) + " advantages");
    }
    // Host values in the training precision, so a float32 batch copies floats and a float64 one loses nothing.
    NDArray values = HostData.own(dtype == DataType.FLOAT64 ? m.create(packed) : m.create(toFloats(packed)))
        .toType(dtype, false);
    Shape perToken = new Shape(rows, width - 1);
    return new OnDevice(tokens(m),
        values.get("0:{}", cells).reshape(perToken),
        values.get("{}:{}", cells, 2 * cells).reshape(perToken),
        values.get("{}:{}", 2 * cells, 3 * cells).reshape(perToken),
        advantages == null ? null : values.get("{}:", 3 * cells).reshape(rows, 1));
  }

  private static float[] toFloats(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  /**
   * A batch on the device.
   *
   * @param tokens     {@code [N, T]}
   * @param behaviour  {@code [N, T-1]} behaviour log-probs ℓμ
   * @param mask       {@code [N, T-1]}
   * @param onPolicy   {@code [N, T-1]}, see {@link TrainBatch}
   * @param advantages {@code [N, 1]}, or null when none were given
   */
  public record OnDevice(NDArray tokens, NDArray behaviour, NDArray mask, NDArray onPolicy, NDArray advantages) {}

  /**
   * The first column in which any row has a trained token (0 when none has): the columns before it score
   * prompt tokens only, so the trainer takes no logits there ({@link dev.asyncrl.model.TransformerPolicy.Scoring}).
   */
  public int firstTrainedColumn() {
    int first = width - 1;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < first; c++) {
        if (mask[r * (width - 1) + c] > 0) {
          first = c;
          break;
        }
      }
    }
    return first == width - 1 ? 0 : first;
  }

  /** Trained response tokens (mask 1) that the trainer's weights at the start of the step sampled. */
  public int onPolicyTokens() {
    int n = 0;
    for (int i = 0; i < onPolicy.length; i++) {
      n += onPolicy[i] * mask[i] > 0 ? 1 : 0;
    }
    return n;
  }
}
