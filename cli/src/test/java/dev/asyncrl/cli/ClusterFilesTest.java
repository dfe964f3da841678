package dev.asyncrl.cli;


import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClusterFilesTest {

  @TempDir Path dir;

  Path config() throws Exception {
    Path config = dir.resolve("job.src.yaml");
    Files.writeString(config, "name: Big_Run\ntrainer: {steps: 10, checkpoint_every: 5}\ndatastore: {bootstrap: 'kafka-0:9092'}\n");
    return config;
  }

  @Test
  void kubernetesManifestsParseAndRunTheTwoRolesWithAScalableWorkerSet() throws Exception {
    Path out = dir.resolve("k8s");
    int code = new CommandLine(new LaunchCommand()).execute(config().toString(), "--workers", "3", "--target", "k8s",
        "--out", out.toString(), "--set", "trainer.lr=3e-4");
    assertEquals(0, code);
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
        .readValues(out.resolve("asyncrl-Big_Run.k8s.yaml").toFile())) {
      it.forEachRemaining(docs::add);
    }
    assertEquals(List.of("ConfigMap", "PersistentVolumeClaim", "StatefulSet", "StatefulSet"),
        docs.stream().map(d -> d.get("kind").asText()).toList());
    assertTrue(docs.get(0).at("/data/job.yaml").asText().contains("name: Big_Run"), "the job travels in the ConfigMap");
    JsonNode trainer = docs.get(2);
    JsonNode workers = docs.get(3);
    assertEquals("asyncrl-big-run-trainer", trainer.at("/metadata/name").asText());
    assertEquals(1, trainer.at("/spec/replicas").asInt());
    assertEquals(3, workers.at("/spec/replicas").asInt());
    String trainerArgs = trainer.at("/spec/template/spec/containers/0/args/0").asText();
    String workerArgs = workers.at("/spec/template/spec/containers/0/args/0").asText();
    assertTrue(trainerArgs.startsWith("exec asyncrl trainer /etc/asyncrl/job.yaml --run-dir /run/asyncrl"), trainerArgs);
    assertTrue(trainerArgs.contains("--set 'trainer.lr=3e-4'") && trainerArgs.contains("--set 'datastore.type=kafka'"),
        trainerArgs);
    assertTrue(workerArgs.contains("rollout-worker /etc/asyncrl/job.yaml --process ${HOSTNAME##*-} --processes $WORKER_PROCESSES"),
        workerArgs);
    assertEquals("kafka-0:9092", workers.at("/spec/template/spec/containers/0/env/0/value").asText());
    assertEquals("3", workers.at("/spec/template/spec/containers/0/env/1/value").asText());
  }

  @Test
  void theSbatchScriptStartsOneTrainerTaskAndOneTaskPerWorker() throws Exception {
    Path out = dir.resolve("slurm");
    assertEquals(0, new CommandLine(new LaunchCommand()).execute(config().toString(), "--workers", "4", "--target",
        "slurm", "--out", out.toString()));
    String script = Files.readString(out.resolve("asyncrl-Big_Run.sbatch"));
    assertTrue(script.startsWith("#!/bin/bash"));
    assertTrue(script.contains("#SBATCH --ntasks=5"), script);
    assertTrue(script.contains("srun --ntasks=1 --exclusive --kill-on-bad-exit=0 \\\n  asyncrl trainer \"$JOB\""), script);
    assertTrue(script.contains("srun --ntasks=4 --exclusive"), script);
    assertTrue(script.contains("--process \"$SLURM_PROCID\" --processes \"$SLURM_NTASKS\""), script);
    assertTrue(script.contains("BOOTSTRAP=\"${KAFKA_BOOTSTRAP:-kafka-0:9092}\""), script);
    assertTrue(Files.isExecutable(out.resolve("asyncrl-Big_Run.sbatch")));
    assertEquals(Files.readString(config()), Files.readString(out.resolve("job.yaml")));
    // bash accepts it
    Process p = new ProcessBuilder("bash", "-n", out.resolve("asyncrl-Big_Run.sbatch").toString()).redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
  }
}
