package dev.asyncrl.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import dev.asyncrl.gpu.Autograd;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) with global-norm gradient clipping:
 *
 * <pre>
 *   g ← g · min(1, clip / ‖g‖₂)        (‖g‖₂ over all parameters)
 *   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr·( m̂ / (√v̂ + ε) + λ·p )   with m̂ = m/(1−β1^t), v̂ = v/(1−β2^t); λ only for matrices
 * </pre>
 *
 * State is created eagerly next to the parameters (never inside a scope) and is exposed for checkpoints.
 * Gradients are zeroed after each step.
 */
public final class AdamW {

  private final Map<String, NDArray> params;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private long t;

  public AdamW(Map<String, NDArray> params, double beta1, double beta2, double eps, double weightDecay) {
    this.params = params;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDManager owner = e.getValue().getManager();
      NDArray first = owner.zeros(e.getValue().getShape(), e.getValue().getDataType());
      NDArray second = owner.zeros(e.getValue().getShape(), e.getValue().getDataType());
      first.setName("m." + e.getKey());
      second.setName("v." + e.getKey());
      m.put(e.getKey(), first);
      v.put(e.getKey(), second);
    }
  }

  /** ‖g‖₂ over every parameter's gradient. */
  public double gradientNorm() {
    return Math.sqrt(gradientSquaredNorm());
  }

  /** ‖g‖₂² over every parameter's gradient. */
  public double gradientSquaredNorm() {
    try (NDScope ignored = new NDScope()) {
      NDArray sumSquares = null; // summed on the device: one host read per step, not one per parameter
      for (NDArray p : params.values()) {
        NDArray s = p.getGradient().square().sum();
        sumSquares = sumSquares == null ? s : sumSquares.add(s);
      }
      return Trainer.scalar(sumSquares);
    }
  }

  /**
   * Applies one update with learning rate {@code lr}, scaling gradients by {@code gradScale} (the clip
   * factor), then zeroes the gradients. Autograd must be off on the calling thread.
   */
  public void step(double lr, double gradScale) {
    t++;
    double correction1 = 1 - Math.pow(beta1, t);
    double correction2 = 1 - Math.pow(beta2, t);
    try (NDScope ignored = new NDScope()) {
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray p = e.getValue();
        NDArray g = p.getGradient().mul(gradScale);
        NDArray mi = m.get(e.getKey());
        NDArray vi = v.get(e.getKey());
        mi.muli(beta1).addi(g.mul(1 - beta1));
        vi.muli(beta2).addi(g.square().muli(1 - beta2));
        NDArray update = mi.div(correction1).divi(vi.div(correction2).sqrt().addi(eps));
        if (weightDecay > 0 && p.getShape().dimension() >= 2) {
          update.addi(p.mul(weightDecay));
        }
        p.subi(update.muli(lr));
        Autograd.zeroGradient(p);
      }
    }
  }

  /** Discards the accumulated gradients without an update (a skipped step). */
  public void zeroGradients() {
    params.values().forEach(Autograd::zeroGradient);
  }

  /**
   * Forgets the moments and the step count, so the next update is a first one again (after a supervised warm-up,
   * RL starts from the warmed-up weights with a fresh optimizer).
   */
  public void reset() {
    NDIndex all = new NDIndex("...");
    m.values().forEach(a -> a.set(all, 0));
    v.values().forEach(a -> a.set(all, 0));
    t = 0;
  }

  /** The factor that scales a gradient of norm {@code gradNorm} down to {@code clip} (global norm; 0 = no clip). */
  public static double clipScale(double gradNorm, double clip) {
    return clip > 0 && gradNorm > clip ? clip / gradNorm : 1;
  }

  public long stepCount() {
    return t;
  }

  /**
   * Restores the moments saved by {@link #state()} and the step count (for bias correction), copying into
   * the existing arrays; fails naming the first missing or misshapen array.
   */
  public void load(NDList saved, long steps) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    saved.forEach(a -> byName.put(a.getName(), a));
    for (Map<String, NDArray> moments : java.util.List.of(m, v)) {
      for (NDArray dst : moments.values()) {
        NDArray src = byName.get(dst.getName());
        if (src == null || !src.getShape().equals(dst.getShape())) {
          throw new IllegalArgumentException("optimizer state " + (src == null ? "lacks '" + dst.getName() + "'"
              : "has '" + dst.getName() + "' of shape " + src.getShape() + ", expected " + dst.getShape()));
        }
        // An in-place copy: the moment arrays keep their own storage (interning another array's storage here
        // corrupts native memory when the state is encoded for the next checkpoint).
        src.toType(dst.getDataType(), false).copyTo(dst);
      }
    }
    t = steps;
  }

  /** Moments as named arrays ({@code m.<param>}, {@code v.<param>}), for checkpoints. */
  public NDList state() {
    NDList out = new NDList(m.values());
    out.addAll(v.values());
    return out;
  }
}
