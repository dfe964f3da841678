package dev.asyncrl.cli;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClusterFilesTest {

  @TempDir Path dir;

  /** A job whose model and data do not exist here: the files are written for the cluster, where they do. */
  Path config() throws Exception {
    Path config = dir.resolve("job.src.yaml");
    Files.writeString(config, "name: Big_Run\ntrainer: {steps: 10, checkpoint_every: 5}\n"
        + "datastore: {bootstrap: 'kafka-0:9092'}\nmodel: {path: /models/qwen}\ntask: {name: math, data: /data/train.jsonl}\n");
    return config;
  }

  @Test
  void kubernetesManifestsParseAsTypedObjects() throws Exception {
    Path out = dir.resolve("k8s");
    int code = new CommandLine(new LaunchCommand()).execute(config().toString(), "--workers", "3", "--target", "k8s",
        "--out", out.toString(), "--set", "trainer.lr=3e-4", "--gpus", "1", "--memory", "64Gi", "--storage-class",
        "fast-rwx", "--image", "registry.example/asyncrl:1", "--max-restarts", "2");
    assertEquals(0, code);
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(out.resolve("asyncrl-Big_Run.k8s.yaml").toFile())) {
      it.forEachRemaining(docs::add);
    }
    assertEquals(List.of("ConfigMap", "PersistentVolumeClaim", "Job", "Job"), docs.stream().map(d -> d.get("kind").asText()).toList());
    ConfigMap configMap = yaml.treeToValue(docs.get(0), ConfigMap.class);
    assertTrue(configMap.getData().get("job.yaml").contains("name: Big_Run"), "the job travels in the ConfigMap");
    PersistentVolumeClaim volume = yaml.treeToValue(docs.get(1), PersistentVolumeClaim.class);
    assertEquals("fast-rwx", volume.getSpec().getStorageClassName());
    assertEquals(List.of("ReadWriteMany"), volume.getSpec().getAccessModes());
    Job trainer = yaml.treeToValue(docs.get(2), Job.class);
    Job workers = yaml.treeToValue(docs.get(3), Job.class);
    assertEquals("asyncrl-big-run-trainer", trainer.getMetadata().getName());
    assertEquals(1, trainer.getSpec().getCompletions());
    assertEquals("Indexed", workers.getSpec().getCompletionMode());
    assertEquals(3, workers.getSpec().getCompletions());
    assertEquals(3, workers.getSpec().getParallelism());
    assertEquals(2, trainer.getSpec().getBackoffLimit());
    for (Job j : List.of(trainer, workers)) {
      assertEquals("OnFailure", j.getSpec().getTemplate().getSpec().getRestartPolicy());
      Container c = j.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertEquals("registry.example/asyncrl:1", c.getImage());
      assertEquals(new Quantity("1"), c.getResources().getLimits().get("nvidia.com/gpu"));
      assertEquals(new Quantity("64Gi"), c.getResources().getRequests().get("memory"));
      assertEquals(List.of("asyncrl"), c.getCommand());
      List<String> args = c.getArgs();
      assertTrue(args.containsAll(List.of("--set", "trainer.lr=3e-4", "datastore.type=kafka", "datastore.bootstrap=kafka-0:9092")),
          args.toString());
    }
    Container worker = workers.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertEquals(List.of("rollout-worker", "/etc/asyncrl/job.yaml", "--process", "$(PROCESS)", "--processes", "3"),
        worker.getArgs().subList(0, 6));
    assertEquals("metadata.annotations['batch.kubernetes.io/job-completion-index']",
        worker.getEnv().get(0).getValueFrom().getFieldRef().getFieldPath());
  }

  @Test
  void theSbatchScriptStartsOneTrainerTaskAndOneTaskPerWorker() throws Exception {
    Path out = dir.resolve("slurm");
    assertEquals(0, new CommandLine(new LaunchCommand()).execute(config().toString(), "--workers", "4", "--target",
        "slurm", "--out", out.toString(), "--gpus", "1", "--memory", "16G", "--time", "24:00:00"));
    String script = Files.readString(out.resolve("asyncrl-Big_Run.sbatch"));
    assertTrue(script.startsWith("#!/bin/bash"));
    assertTrue(script.contains("#SBATCH --ntasks=5"), script);
    assertTrue(script.contains("#SBATCH --gres=gpu:1\n#SBATCH --mem-per-cpu=16G\n#SBATCH --time=24:00:00\n"), script);
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
