package dev.asyncrl.algorithms;

/** Reward-group helpers shared by the advantage estimators. */
final class GroupStats {
  private GroupStats() {}

  static double[] flatten(double[][] x) {
    int n = 0;
    for (double[] r : x) {
      n += r.length;
    }
    double[] out = new double[n];
    int k = 0;
    for (double[] r : x) {
      System.arraycopy(r, 0, out, k, r.length);
      k += r.length;
    }
    return out;
  }

  static boolean allEqual(double[] r) {
    for (double v : r) {
      if (v != r[0]) {
        return false;
      }
    }
    return true;
  }
}
