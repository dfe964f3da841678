package dev.asyncrl.rollout;

import dev.asyncrl.datastore.StalenessGate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Runs rollout workers on their own threads; the first failure is kept for the trainer to report. */
public final class RolloutPool implements AutoCloseable {

  private final List<RolloutWorker> workers;
  private final StalenessGate gate;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  public RolloutPool(List<RolloutWorker> workers, StalenessGate gate) {
    this.workers = List.copyOf(workers);
    this.gate = gate;
  }

  public void start() {
    for (int i = 0; i < workers.size(); i++) {
      RolloutWorker w = workers.get(i);
      Thread t = new Thread(() -> {
        try {
          w.run();
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "rollout-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /**
   * What the workers have done so far: {@code rollout/groups_total} and {@code rollout/tokens_total} appended,
   * and {@code rollout/policy_version}, the oldest version a worker samples with.
   */
  public Map<String, Double> stats() {
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("rollout/groups_total", (double) workers.stream().mapToLong(RolloutWorker::groupsAppended).sum());
    out.put("rollout/tokens_total", (double) workers.stream().mapToLong(RolloutWorker::tokensSampled).sum());
    out.put("rollout/policy_version", (double) workers.stream().mapToLong(RolloutWorker::version).min().orElse(-1));
    return out;
  }

  /** The first exception a worker died of, if any. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Stops every worker (waking any blocked in admission or append) and waits for them. */
  @Override
  public void close() {
    workers.forEach(RolloutWorker::stop);
    gate.close();
    threads.forEach(Thread::interrupt);
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
