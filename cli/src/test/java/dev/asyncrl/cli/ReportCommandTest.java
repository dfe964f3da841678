package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReportCommandTest {

  @TempDir
  Path dir;

  @Test
  void writesTheReportAndThePlotOfTheStepsSoFar() throws Exception {
    Path run = Files.createDirectories(dir.resolve("my-run"));
    List<String> lines = new ArrayList<>();
    for (int step = 1; step <= 20; step++) {
      lines.add("{\"step\": " + step + ", \"rollout/reward_mean\": " + (step / 20.0) + ", \"staleness/mean\": 1.0}");
    }
    Files.write(run.resolve("metrics.jsonl"), lines);
    assertEquals(0, new CommandLine(new AsyncRlCommand()).execute("report", run.toString()));
    String html = Files.readString(run.resolve("report.html"));
    assertTrue(html.contains("<h1>my-run</h1>") && html.contains("\"rollout/reward_mean\":[0.05,"), "report of the run");
    assertTrue(Files.size(run.resolve("plot.png")) > 10_000, "a plot");
  }
}
