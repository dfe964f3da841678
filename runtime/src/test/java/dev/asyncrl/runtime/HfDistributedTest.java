package dev.asyncrl.runtime;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import dev.asyncrl.model.hf.SafetensorsFile;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hugging Face model with LoRA across the Kafka path (trainer and a worker process's workers, here as
 * threads of this JVM against a real broker): only adapters travel as weight files, workers apply them to
 * their own copy of the base model, and the run exports the adapter.
 */
class HfDistributedTest {

  @TempDir
  Path tmp;

  @Test
  void loraAdaptersTravelThroughTheWeightChannel() throws Exception {
    Path model = HfMathGrpoTest.tinyQwen(tmp.resolve("tiny-qwen2"));
    Path problems = HfMathGrpoTest.problems(tmp.resolve("train.jsonl"), 40, 5);
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(tmp.resolve("kafka"))) {
      ConfigSource source = ConfigSource.fromString("""
          name: hfdist
          seed: 4
          model: {max_seq_len: 48}
          task: {name: math, prompt_template: "{question}=", system_prompt: "Add."}
          rollout: {workers: 1, group_size: 4, groups_per_batch: 2, max_new_tokens: 2}
          trainer: {steps: 6, groups_per_step: 2, lr: 1.0e-2, checkpoint_every: 3}
          lora: {rank: 4, targets: "q_proj,v_proj"}
          datastore: {type: kafka}
          """, "test.yaml");
      for (String o : List.of("model.path=" + model, "task.data=" + problems,
          "datastore.bootstrap=" + broker.bootstrap())) {
        source.override(o);
      }
      JobConfig job = JobConfig.from(JobRunner.ALGORITHMS.jobSchema().resolve(source));
      Path runDir = tmp.resolve("run");
      AtomicReference<Throwable> workerFailure = new AtomicReference<>();
      Thread workers = new Thread(() -> {
        try {
          JobRunner.workers(job, 0, 1, line -> {});
        } catch (Throwable e) {
          workerFailure.set(e);
        }
      }, "worker-process");
      workers.start();
      List<StepReport> reports = Collections.synchronizedList(new ArrayList<>());
      JobRunner.train(job, JobRunner.Options.of(job).withRunDir(runDir).withWorkers(JobRunner.Workers.SEPARATE_PROCESSES)
          .withListener(reports::add), line -> {});
      workers.join(60_000);
      assertNull(workerFailure.get());
      assertEquals(6, reports.size());
      try (var files = Files.list(runDir.resolve("weights"))) {
        Path newest = files.filter(p -> p.toString().endsWith(".safetensors")).sorted().reduce((a, b) -> b).orElseThrow();
        try (SafetensorsFile f = SafetensorsFile.open(newest)) {
          assertEquals(8, f.tensors().size(), "q_proj and v_proj adapters of 2 layers, not the base model");
          assertTrue(f.tensors().keySet().stream().allMatch(n -> n.contains(".lora_")));
        }
      }
      assertTrue(Files.exists(runDir.resolve("adapter/adapter_model.safetensors")));
    }
  }
}
