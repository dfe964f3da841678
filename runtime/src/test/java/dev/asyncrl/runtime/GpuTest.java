package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.trainer.StepReport;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement and hand-off on real GPUs (the CUDA build: {@code mvn -Pcuda -Dgroups=gpu test}, or
 * {@code scripts/gpu-check.sh}). Without a visible GPU every test here is skipped.
 */
@Tag("gpu")
class GpuTest {

  @TempDir
  java.nio.file.Path tmp;

  @BeforeEach
  void needsAGpu() {
    assumeTrue(Placement.visibleGpus() > 0, "no GPU visible to PyTorch");
  }

  @Test
  void trainsColocatedOnOneGpuWithFloat16Workers() throws Exception {
    JobConfig job = JobRunnerTest.job("devices.trainer=cuda:0", "devices.rollout=cuda:0", "model.rollout_dtype=float16",
        "max_staleness=0", "trainer.steps=5");
    List<StepReport> reports = JobRunnerTest.run(job, new JobRunnerTest.RecordingStore(
        job.get(JobSchema.STORE_CAPACITY)), java.nio.file.Files.createTempDirectory(tmp, "run"));
    assertEquals(5, reports.size());
    for (StepReport r : reports) {
      assertTrue(Double.isFinite(r.metrics().get("loss/policy")), "step " + r.step());
      assertTrue(r.metrics().get("rollout/logprob_mismatch") < 0.05, "float16 costs little: " + r.metrics());
      assertEquals(List.of(0L, 0L, 0L), r.trainedStaleness());
    }
  }

  @Test
  void trainsSplitOverTwoGpus() throws Exception {
    assumeTrue(Placement.visibleGpus() > 1, "one GPU only");
    JobConfig job = JobRunnerTest.job("devices.trainer=cuda:0", "devices.rollout=cuda:1", "trainer.steps=3");
    assertEquals(3, JobRunnerTest.run(job, new JobRunnerTest.RecordingStore(job.get(JobSchema.STORE_CAPACITY)),
        java.nio.file.Files.createTempDirectory(tmp, "run")).size());
  }

  @Test
  void weightsGoFromTrainerToWorkerWithoutLeavingTheGpu() {
    ComputeThread.inferenceOnly();
    Device gpu = Device.gpu(0);
    GptShape shape = new GptShape(64, 2, 4, 128, 32);
    try (TransformerPolicy trainer = TransformerPolicy.initialize(shape, 50, 1, gpu, DataType.FLOAT32);
         TransformerPolicy worker = TransformerPolicy.initialize(shape, 50, 2, gpu, DataType.FLOAT16)) {
      worker.prepareForDecoding();
      try (PolicyWeights published = PolicyWeights.copyOf(trainer)) {
        for (NDArray a : published.arrays()) {
          assertEquals(gpu, a.getDevice(), a.getName());
        }
        worker.loadWeights(published.arrays());
      }
      for (var e : trainer.parameters().entrySet()) {
        NDArray w = worker.parameters().get(e.getKey());
        assertEquals(gpu, w.getDevice());
        assertArrayEquals(e.getValue().toType(DataType.FLOAT16, false).toType(DataType.FLOAT32, false).toFloatArray(),
            w.toType(DataType.FLOAT32, false).toFloatArray(), e.getKey());
      }
    }
  }
}
