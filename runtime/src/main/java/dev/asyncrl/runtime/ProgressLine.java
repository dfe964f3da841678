package dev.asyncrl.runtime;

import dev.asyncrl.trainer.StepReport;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * The live progress display: one line (rewritten in place on a terminal, printed every ~5% otherwise) with
 * step, reward, staleness, throughput and ETA.
 */
public final class ProgressLine {

  private final PrintStream out;
  private final int totalSteps;
  private final boolean interactive;
  private final int every;

  public ProgressLine(PrintStream out, int totalSteps, boolean interactive) {
    this.out = out;
    this.totalSteps = totalSteps;
    this.interactive = interactive;
    this.every = Math.max(1, totalSteps / 20);
  }

  public void update(StepReport r) {
    boolean last = r.step() == totalSteps;
    if (!interactive && !last && r.step() % every != 0) {
      return;
    }
    Map<String, Double> m = r.metrics();
    double elapsed = m.get("time/elapsed_s");
    double eta = elapsed / r.step() * (totalSteps - r.step());
    String line = String.format(Locale.ROOT,
        "step %d/%d | reward %.3f | solved %.2f | staleness %.2f (max %d, dropped %d) | %,.0f tok/s | %s elapsed | ETA %s",
        r.step(), totalSteps, m.get("rollout/reward_mean"), m.get("rollout/solve_rate"), m.get("staleness/mean"),
        m.get("staleness/max").longValue(), m.get("staleness/dropped_total").longValue(), m.get("perf/tokens_per_s"),
        duration(elapsed), duration(eta));
    if (interactive) {
      out.print("\r" + line + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  public static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
