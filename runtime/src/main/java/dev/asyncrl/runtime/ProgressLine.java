package dev.asyncrl.runtime;

import dev.asyncrl.trainer.StepReport;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live progress display: step, reward, staleness, smoothed tokens/s, elapsed time and ETA. It refreshes on
 * a timer, not only when a step ends: on a terminal the line is rewritten in place every second; otherwise (a
 * log file, a supervised process) a line is printed every {@link #LOG_PERIOD_S} seconds when a step has ended
 * since the last one, and at the last step.
 */
public final class ProgressLine implements AutoCloseable {

  /** Where the line goes, and whether it is a terminal (rewritten in place) or a log (one line per print). */
  public record Target(PrintStream out, boolean interactive) {
    /** Standard output; interactive when it is a terminal. */
    public static Target console() {
      return new Target(System.out, System.console() != null);
    }
  }

  static final int LOG_PERIOD_S = 10;

  /** Weight of the newest step in the smoothed throughput and step time (an exponential moving average). */
  private static final double SMOOTHING = 0.2;

  private final Target target;
  private final int totalSteps;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;

  private StepReport latest;
  private int printedStep = -1;
  private double tokensPerS = Double.NaN;
  private double secondsPerStep = Double.NaN;
  private double lastStepAt;
  private int firstStep = -1;

  public ProgressLine(Target target, int totalSteps) {
    this.target = target;
    this.totalSteps = totalSteps;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "progress");
      t.setDaemon(true);
      return t;
    });
    long period = target.interactive() ? 1 : LOG_PERIOD_S;
    timer.scheduleAtFixedRate(this::refresh, period, period, TimeUnit.SECONDS);
  }

  public synchronized void update(StepReport r) {
    double now = elapsed();
    Map<String, Double> m = r.metrics();
    double tps = m.getOrDefault("perf/tokens_per_s", Double.NaN);
    tokensPerS = Double.isNaN(tokensPerS) ? tps : SMOOTHING * tps + (1 - SMOOTHING) * tokensPerS;
    if (latest != null) {
      double dt = (now - lastStepAt) / Math.max(1, r.step() - latest.step());
      secondsPerStep = Double.isNaN(secondsPerStep) ? dt : SMOOTHING * dt + (1 - SMOOTHING) * secondsPerStep;
    } else {
      firstStep = r.step();
      secondsPerStep = now / Math.max(1, r.step() - firstStep + 1);
    }
    lastStepAt = now;
    latest = r;
    if (target.interactive() || r.step() == totalSteps) {
      print();
    }
  }

  private synchronized void refresh() {
    if (target.interactive() || latest != null && latest.step() != printedStep) {
      print();
    }
  }

  private void print() {
    String line = line(elapsed());
    if (target.interactive()) {
      target.out().print("\r" + line + "\u001b[K");
    } else {
      target.out().println(line);
    }
    target.out().flush();
    printedStep = latest == null ? 0 : latest.step();
  }

  /** The progress text at {@code elapsed} seconds since the run started. */
  synchronized String line(double elapsed) {
    if (latest == null) {
      return String.format(Locale.ROOT, "step 0/%d | waiting for the first batch | %s elapsed", totalSteps,
          duration(elapsed));
    }
    Map<String, Double> m = latest.metrics();
    int left = totalSteps - latest.step();
    double eta = Math.max(0, secondsPerStep * left - (elapsed - lastStepAt));
    return String.format(Locale.ROOT,
        "step %d/%d | reward %.3f | solved %.2f | staleness %.2f (max %d, dropped %d) | %,.0f tok/s | %s elapsed | ETA %s",
        latest.step(), totalSteps, m.getOrDefault("rollout/reward_mean", Double.NaN),
        m.getOrDefault("rollout/solve_rate", Double.NaN), m.getOrDefault("staleness/mean", Double.NaN),
        m.getOrDefault("staleness/max", 0.0).longValue(), m.getOrDefault("staleness/dropped_total", 0.0).longValue(),
        tokensPerS, duration(elapsed), left == 0 ? "0s" : duration(eta));
  }

  private double elapsed() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Stops the timer; on a terminal, ends the line. */
  @Override
  public synchronized void close() {
    timer.shutdownNow();
    if (target.interactive() && printedStep >= 0) {
      target.out().println();
      target.out().flush();
    }
  }

  public static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return (s / 3600) + "h" + String.format(Locale.ROOT, "%02dm", (s % 3600) / 60);
    }
    return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
  }
}
