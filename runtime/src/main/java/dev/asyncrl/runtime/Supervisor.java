package dev.asyncrl.runtime;

import dev.asyncrl.core.BadInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the processes of a distributed job on this machine and keeps them running: a process that dies
 * (a crash, SIGKILL, out of memory) is started again after a back-off (1 s, doubling up to 30 s), up to
 * {@code maxRestarts} times each; the trainer resumes from its checkpoint and a worker rejoins. A process that
 * exits with status 2 (a configuration or input error, which running again cannot fix) stops the job. The
 * job is over when the trainer exits normally; the workers then stop on their own (they follow the trainer's
 * last announcement) or are stopped. Children watch this process ({@link ParentWatch}) and stop if it dies.
 * Each process's output is forwarded line by line, prefixed with its name.
 */
public final class Supervisor implements AutoCloseable {

  /** One supervised process: a name and the arguments after the {@code asyncrl} command. */
  public record Role(String name, List<String> args) {}

  private final List<String> javaCommand;
  private final int maxRestarts;
  private final Consumer<String> out;
  private final Map<String, Role> roles = new LinkedHashMap<>();
  private final Map<String, Process> running = new LinkedHashMap<>();
  private final Map<String, Integer> restarts = new LinkedHashMap<>();
  private final Map<String, Long> restartAt = new LinkedHashMap<>();
  private volatile boolean stopping;

  /** @param javaCommand the command that runs {@code asyncrl} in a new JVM, without its arguments */
  public Supervisor(List<String> javaCommand, int maxRestarts, Consumer<String> out) {
    this.javaCommand = List.copyOf(javaCommand);
    this.maxRestarts = maxRestarts;
    this.out = out;
  }

  /**
   * The JVM command for a child running {@code mainClass}: this JVM's java and class path, and the DJL/logging
   * system properties.
   */
  public static List<String> currentJava(Class<?> mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    String opts = System.getenv("ASYNCRL_CHILD_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      cmd.addAll(List.of(opts.trim().split("\\s+")));
    } else {
      cmd.add("-Xmx1g");
    }
    for (String key : List.of("ai.djl.offline", "ENGINE_CACHE_DIR", "DJL_CACHE_DIR", "ai.djl.pytorch.num_threads",
        "ai.djl.pytorch.num_interop_threads", "org.slf4j.simpleLogger.defaultLogLevel")) {
      String v = System.getProperty(key);
      if (v != null) {
        cmd.add("-D" + key + "=" + v);
      }
    }
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    return cmd;
  }

  public synchronized void start(Role role) {
    roles.put(role.name(), role);
    restarts.putIfAbsent(role.name(), 0);
    List<String> cmd = new ArrayList<>(javaCommand);
    cmd.addAll(role.args());
    try {
      ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
      builder.environment().put(ParentWatch.ENV, String.valueOf(ProcessHandle.current().pid()));
      Process p = builder.start();
      running.put(role.name(), p);
      Thread pump = new Thread(() -> forward(role.name(), p), "output-" + role.name());
      pump.setDaemon(true);
      pump.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + role.name() + ": " + cmd, e);
    }
  }

  private void forward(String name, Process p) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        out.accept("[" + name + "] " + line);
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  /** The live process of a role (for tests and tools), or null. */
  public synchronized Process process(String name) {
    return running.get(name);
  }

  public synchronized int restartCount(String name) {
    return restarts.getOrDefault(name, 0);
  }

  /**
   * Supervises until the process named {@code finisher} exits with status 0; restarts any process that exits
   * otherwise, except with status 2.
   *
   * @return 0; 2 when a process stopped with a configuration or input error; 1 when a process failed more
   *     than {@code maxRestarts} times (everything is then stopped)
   */
  public int awaitCompletion(String finisher) throws InterruptedException {
    while (!stopping) {
      Integer result = checkExits(finisher);
      if (result != null) {
        return result;
      }
      Thread.sleep(200);
    }
    return 1;
  }

  /** Handles every process that has exited since the last check, and due restarts; a non-null result ends the job. */
  private synchronized Integer checkExits(String finisher) {
    for (Map.Entry<String, Process> e : new ArrayList<>(running.entrySet())) {
      if (e.getValue().isAlive()) {
        continue;
      }
      String name = e.getKey();
      int code = e.getValue().exitValue();
      running.remove(name);
      if (code == 0) {
        out.accept("[launch] " + name + " finished");
        if (name.equals(finisher)) {
          return 0;
        }
        continue;
      }
      if (code == BadInputException.EXIT_CODE) {
        out.accept("[launch] " + name + " stopped with a configuration or input error (status 2, above); not restarting; "
            + "stopping the job");
        return BadInputException.EXIT_CODE;
      }
      int n = restarts.merge(name, 1, Integer::sum);
      if (n > maxRestarts) {
        out.accept("[launch] " + name + " exited with status " + code + " after " + maxRestarts
            + " restarts; stopping the job");
        return 1;
      }
      long delayMs = backoffMillis(n);
      out.accept("[launch] " + name + " exited with status " + code + "; restarting in " + delayMs / 1000.0 + " s ("
          + n + " of " + maxRestarts + ")");
      restartAt.put(name, System.nanoTime() + delayMs * 1_000_000);
    }
    for (Map.Entry<String, Long> due : new ArrayList<>(restartAt.entrySet())) {
      if (System.nanoTime() >= due.getValue()) {
        restartAt.remove(due.getKey());
        start(roles.get(due.getKey()));
      }
    }
    return null;
  }

  /** The wait before the {@code n}-th restart of a process: 1 s, doubling, at most 30 s. */
  public static long backoffMillis(int n) {
    return Math.min(30_000L, 1000L << Math.min(n - 1, 5));
  }

  /** Waits up to {@code seconds} for the remaining processes to exit on their own. */
  public void awaitOthers(long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (Process p : snapshot()) {
      long left = deadline - System.nanoTime();
      if (left > 0) {
        p.waitFor(left, TimeUnit.NANOSECONDS);
      }
    }
  }

  private synchronized List<Process> snapshot() {
    return new ArrayList<>(running.values());
  }

  /** Stops every process: SIGTERM, then SIGKILL after 10 s. */
  @Override
  public void close() {
    stopping = true;
    List<Process> all = snapshot();
    all.forEach(Process::destroy);
    for (Process p : all) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
