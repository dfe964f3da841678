package dev.asyncrl.model.hf;

/**
 * How rotary position embeddings are stretched for long contexts ({@code rope_scaling} in config.json), as
 * Hugging Face transformers computes them.
 *
 * @param type {@code default} (none), {@code linear}, {@code llama3} (Llama 3.1+), or {@code yarn} (the
 *     long-context setting Qwen2.5 documents)
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
    int originalMaxPositions, double attentionFactor, double betaFast, double betaSlow) {

  public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0, 1, 0, 0);

  /**
   * The inverse frequency of each of the {@code headDim/2} rotary pairs.
   */
  public double[] inverseFrequencies(int headDim, double theta) {
    int half = headDim / 2;
    double[] inv = new double[half];
    for (int i = 0; i < half; i++) {
      inv[i] = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
    }
    switch (type) {
      case "default" -> { }
      case "linear" -> {
        for (int i = 0; i < half; i++) {
          inv[i] /= factor;
        }
      }
      case "llama3" -> {
        double lowWavelen = originalMaxPositions / lowFreqFactor;
        double highWavelen = originalMaxPositions / highFreqFactor;
        for (int i = 0; i < half; i++) {
          double wavelen = 2 * Math.PI / inv[i];
          if (wavelen > lowWavelen) {
            inv[i] /= factor;
          } else if (wavelen >= highWavelen) {
            double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
          }
        }
      }
      case "yarn" -> {
        double low = Math.max(0, Math.floor(correctionDim(betaFast, headDim, theta)));
        double high = Math.min(headDim - 1, Math.ceil(correctionDim(betaSlow, headDim, theta)));
        if (low == high) {
          high += 0.001;
        }
        for (int i = 0; i < half; i++) {
          double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
          double extrapolation = 1 - ramp;
          inv[i] = inv[i] / factor * (1 - extrapolation) + inv[i] * extrapolation;
        }
      }
      default -> throw new IllegalStateException("unknown rope scaling " + type);
    }
    return inv;
  }

  /** Scale of cos and sin (yarn's attention factor; 1 otherwise). */
  public double cosSinScale() {
    return type.equals("yarn") ? attentionFactor : 1;
  }

  private double correctionDim(double rotations, int dim, double theta) {
    return dim * Math.log(originalMaxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
  }
}
