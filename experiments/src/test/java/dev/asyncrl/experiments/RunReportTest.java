package dev.asyncrl.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.html: self-contained (no reference outside the file), with the run's values for each chart. */
class RunReportTest {

  @TempDir
  Path dir;

  @Test
  void theReportCarriesItsLibraryAndTheRunsValues() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int step = 1; step <= 5; step++) {
      lines.add("{\"step\": " + step + ", \"rollout/reward_mean\": " + (0.1 * step) + ", \"is/ess_ratio\": 0.9"
          + (step == 3 ? ", \"eval/accuracy\": 0.5" : "") + ", \"loss/policy\": " + (step == 4 ? "\"NaN\"" : "0.25") + "}");
    }
    Path metrics = dir.resolve("metrics.jsonl");
    Files.write(metrics, lines);
    Path html = dir.resolve("report.html");
    RunReport.write(metrics, html, "a <b> run", "grpo");
    String page = Files.readString(html);
    assertTrue(page.contains("<h1>a &lt;b&gt; run</h1>"), "the title is escaped");
    assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"?(https?:)?//").matcher(page).find(), "nothing is loaded from elsewhere");
    assertTrue(page.contains("uPlot"), "the chart library is inlined");
    JsonNode data = json(page, "const data = (.*);");
    assertEquals("[1.0,2.0,3.0,4.0,5.0]", data.get("step").toString());
    assertEquals(0.5, data.get("rollout/reward_mean").get(4).asDouble(), 1e-12);
    assertTrue(data.get("eval/accuracy").get(0).isNull() && data.get("eval/accuracy").get(2).asDouble() == 0.5,
        "a metric of some steps only leaves gaps");
    JsonNode panels = json(page, "const panels = (.*);");
    List<String> titles = new ArrayList<>();
    panels.forEach(p -> titles.add(p.get("title").asText()));
    assertEquals(List.of("Reward", "Effective sample size / batch", "Loss and gradient"), titles,
        "only charts with data");
    assertEquals("[0.0,1.0]", panels.get(1).get("range").toString(), "the ESS ratio keeps its [0, 1] scale");
  }

  private static JsonNode json(String page, String regex) throws Exception {
    Matcher m = Pattern.compile(regex).matcher(page);
    assertTrue(m.find(), regex);
    return new ObjectMapper().readTree(m.group(1));
  }
}
