package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.trainer.StepReport;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run with monitoring.prometheus_port serves its step metrics in Prometheus' text format while it trains. */
class PrometheusEndpointTest {

  @TempDir
  Path tmp;

  @Test
  void aScrapeDuringTheRunSeesTheLatestStep() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    JobConfig job = JobRunnerTest.job("trainer.steps=4", "monitoring.prometheus_port=" + port, "name=scraped");
    HttpClient http = HttpClient.newHttpClient();
    List<String> failures = new ArrayList<>();
    List<StepReport> seen = new ArrayList<>();
    Path runDir = Files.createTempDirectory(tmp, "run");
    JobRunner.train(job, JobRunner.Options.of(job).withRunDir(runDir).withListener(r -> {
      seen.add(r);
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        double step = value(body, "asyncrl_step");
        double reward = value(body, "asyncrl_rollout_reward_mean");
        if (step != r.step() || reward != r.metrics().get("rollout/reward_mean")) {
          failures.add("step " + r.step() + ": scraped step " + step + ", reward " + reward);
        }
        if (!body.contains("asyncrl_staleness_dropped_total_value{job=\"scraped\",role=\"trainer\"}")) {
          failures.add("no counter-like gauge: " + body);
        }
      } catch (Exception e) {
        failures.add(e.toString());
      }
    }), line -> {}, new JobRunnerTest.RecordingStore(job.get(JobSchema.STORE_CAPACITY)));
    assertEquals(4, seen.size());
    assertTrue(failures.isEmpty(), failures.toString());
  }

  private static double value(String body, String metric) {
    Matcher m = Pattern.compile("(?m)^" + metric + "\\{job=\"scraped\",role=\"trainer\"\\} (\\S+)$").matcher(body);
    assertTrue(m.find(), metric + " not in:\n" + body);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void namesFollowPrometheusRules() {
    assertEquals("asyncrl_rollout_reward_mean", PrometheusEndpoint.name("rollout/reward_mean"));
    assertEquals("asyncrl_staleness_dropped_total_value", PrometheusEndpoint.name("staleness/dropped_total"));
    assertEquals("asyncrl_perf_tokens_per_s", PrometheusEndpoint.name("perf/tokens_per_s"));
  }
}
