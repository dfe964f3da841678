package dev.asyncrl.runtime;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Prometheus scrape endpoint ({@code http://host:port/metrics}) for one process of a job: the trainer exports
 * every step metric, a rollout-worker process what its workers have done. Each metric of {@code metrics.jsonl}
 * becomes a gauge named {@code asyncrl_} + its name with {@code /} as {@code _} ({@code rollout/reward_mean} →
 * {@code asyncrl_rollout_reward_mean}), labelled with the job's name and the process's role. A name ending in
 * a suffix Prometheus reserves for other metric types ({@code _total}, {@code _count}, ...) gets {@code _value}
 * appended.
 */
final class PrometheusEndpoint implements AutoCloseable {

  private static final List<String> RESERVED = List.of("_total", "_created", "_bucket", "_info", "_count", "_sum");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
  private final HTTPServer server;
  private final String job;
  private final String role;

  private PrometheusEndpoint(int port, String job, String role) {
    this.job = job;
    this.role = role;
    try {
      this.server = HTTPServer.builder().port(port).registry(registry).buildAndStart();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve Prometheus metrics on port " + port + ": " + e.getMessage(), e);
    }
  }

  /** An endpoint on {@code port}, or null when {@code port} is 0 (off). */
  static PrometheusEndpoint start(int port, String job, String role) {
    return port == 0 ? null : new PrometheusEndpoint(port, job, role);
  }

  int port() {
    return server.getPort();
  }

  /** Sets each metric's gauge to its latest value. */
  void record(Map<String, Double> metrics) {
    metrics.forEach((name, value) -> gauges.computeIfAbsent(name, this::gauge).labelValues(job, role).set(value));
  }

  private Gauge gauge(String metric) {
    return Gauge.builder().name(name(metric)).help("asyncrl metric " + metric + " (see the README, Metrics)")
        .labelNames("job", "role").register(registry);
  }

  /** The Prometheus name of a metric. */
  static String name(String metric) {
    String n = "asyncrl_" + metric.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    for (String suffix : RESERVED) {
      if (n.endsWith(suffix)) {
        return n + "_value";
      }
    }
    return n;
  }

  @Override
  public void close() {
    server.close();
  }
}
