package dev.asyncrl.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code report.html} in a run folder: one self-contained page of interactive charts over the steps (reward,
 * staleness, ESS, throughput, phase timings and the rest of the step metrics), with the chart library (uPlot,
 * from its WebJar) and the data inlined, so it opens from disk with no network.
 */
public final class RunReport {
  private RunReport() {}

  /** A chart: its title, the metrics drawn, the y unit and, for bounded metrics, a fixed range. */
  record Panel(String title, List<String> metrics, String unit, double[] range) {}

  static final List<Panel> PANELS = List.of(
      new Panel("Reward", List.of("rollout/reward_mean", "rollout/solve_rate", "eval/accuracy"), "reward", null),
      new Panel("Staleness (policy versions)", List.of("staleness/mean", "staleness/max", "staleness/token_mean"),
          "versions", null),
      new Panel("Effective sample size / batch", List.of("is/ess_ratio"), "ratio", new double[] {0, 1}),
      new Panel("Throughput", List.of("perf/tokens_per_s"), "response tokens/s", null),
      new Panel("Step time", List.of("perf/step_s", "perf/wait_s", "perf/train_s", "eval/time_s"), "seconds", null),
      new Panel("Loss and gradient", List.of("loss/policy", "train/grad_norm", "loss/kl_behaviour"), "value", null),
      new Panel("Response length", List.of("rollout/response_len_mean"), "tokens", null));

  private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";

  /** Writes {@code html} from {@code metricsJsonl}; a failure is a warning, never the run's failure. */
  public static void writeIfPossible(Path metricsJsonl, Path html, String title, String subtitle, Consumer<String> warn) {
    if (!Files.exists(metricsJsonl)) {
      return;
    }
    try {
      write(metricsJsonl, html, title, subtitle);
    } catch (RuntimeException e) {
      warn.accept("warning: no report.html: " + e.getMessage());
    }
  }

  public static void write(Path metricsJsonl, Path html, String title, String subtitle) {
    List<Map<String, Double>> steps = MetricsLog.read(metricsJsonl);
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    ArrayNode stepAxis = data.putArray("step");
    for (int i = 0; i < steps.size(); i++) {
      stepAxis.add(steps.get(i).getOrDefault("step", (double) (i + 1)));
    }
    ArrayNode panels = JsonNodeFactory.instance.arrayNode();
    Set<String> shown = new LinkedHashSet<>();
    for (Panel p : PANELS) {
      List<String> present = new ArrayList<>();
      for (String m : p.metrics()) {
        if (steps.stream().anyMatch(s -> s.containsKey(m))) {
          present.add(m);
        }
      }
      if (present.isEmpty()) {
        continue;
      }
      ObjectNode panel = panels.addObject().put("title", p.title()).put("unit", p.unit());
      present.forEach(panel.putArray("metrics")::add);
      if (p.range() != null) {
        panel.putArray("range").add(p.range()[0]).add(p.range()[1]);
      }
      shown.addAll(present);
    }
    for (String m : shown) {
      ArrayNode values = data.putArray(m);
      for (Map<String, Double> s : steps) {
        Double v = s.get(m);
        if (v == null || !Double.isFinite(v)) {
          values.addNull();
        } else {
          values.add(v);
        }
      }
    }
    String page = resource("report.html")
        .replace("{{TITLE}}", escape(title))
        .replace("{{SUBTITLE}}", escape(subtitle + " · " + steps.size() + " steps"))
        .replace("{{UPLOT_CSS}}", resource(UPLOT + "uPlot.min.css"))
        .replace("{{UPLOT_JS}}", resource(UPLOT + "uPlot.iife.min.js").replace("</script", "<\\/script"))
        .replace("{{DATA}}", json(data))
        .replace("{{PANELS}}", json(panels));
    try {
      Files.writeString(html, page, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + html + ": " + e.getMessage(), e);
    }
  }

  private static String json(Object node) {
    try {
      return new ObjectMapper().writeValueAsString(node).replace("</", "<\\/");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String resource(String name) {
    try (InputStream in = RunReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + " (a broken build)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
