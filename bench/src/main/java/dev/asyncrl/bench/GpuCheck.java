package dev.asyncrl.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.asyncrl.gpu.Autograd;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.gpu.Placement;
import dev.asyncrl.model.GenerationEngine;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.ByteLevelTokenizer;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.trainer.AdamW;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPU numbers of {@code scripts/gpu-check.sh}, on a Qwen2.5-0.5B-shaped model with random weights on
 * {@code cuda:0}: whether float32 products use TF32, decode tokens/s at batch 64 and 256, the train step for
 * 64 × 512 tokens with its model FLOPs utilisation, the share of each phase of one colocated step, and the
 * GPU memory in use at its peak. Each timed phase ends by reading a value back, so the time includes the GPU
 * work it queued.
 */
final class GpuCheck {
  private GpuCheck() {}

  static final int ROWS = 64;
  static final int PROMPT = 64;
  static final int RESPONSE = 448;
  /** Responses per forward/backward pass: 16 × 511 positions of 151,936 float32 logits are 5 GiB per copy. */
  static final int MICRO_BATCH = 16;

  /** A folder {@code asyncrl train} can load: the 0.5B shape with random weights (bf16) and a byte-level tokenizer. */
  static void writeModel(Path dir) throws Exception {
    Files.createDirectories(dir);
    ByteLevelTokenizer.write(dir, List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>"), "{\"eos_token\": \"<|im_end|>\"}");
    Files.writeString(dir.resolve("generation_config.json"),
        "{\"eos_token_id\": [" + (ByteLevelTokenizer.FIRST_SPECIAL + 2) + "]}");
    try (TransformerPolicy p = HfModel.initialize(HfConfig.parse(EngineBench.QWEN_05B, "gpu check config"), 1024, 1,
        Device.cpu(), DataType.FLOAT32)) {
      HfModel.save(p, dir, TensorDType.BF16, 1L << 30, dir);
    }
    System.out.println("wrote a random Qwen2.5-0.5B-shaped model to " + dir);
  }

  /** @param peakTflops the GPU's dense TF32 peak, for the utilisation (H100/H200 SXM: 494.7) */
  static boolean run(double peakTflops) {
    if (Placement.visibleGpus() == 0) {
      System.out.println("gpu: no GPU is visible to PyTorch (CPU build, or no driver); nothing to measure");
      return false;
    }
    Device gpu = Device.gpu(0);
    ComputeThread.inferenceOnly();
    Memory memory = new Memory(gpu);
    double tflops = matmulTflops(gpu);
    System.out.printf(Locale.ROOT, "  float32 matmul 8192 x 8192: %.0f TFLOPS (%s)%n", tflops,
        tflops > 100 ? "TF32 tensor cores in use" : "no TF32: set TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1");
    HfConfig config = HfConfig.parse(EngineBench.QWEN_05B, "gpu check config");
    try (TransformerPolicy trainer = HfModel.initialize(config, PROMPT + RESPONSE + 8, 1, gpu, DataType.FLOAT32);
         TransformerPolicy worker = HfModel.initialize(config, PROMPT + RESPONSE + 8, 2, gpu, DataType.FLOAT16)) {
      worker.prepareForDecoding();
      memory.sample();
      for (int slots : new int[] {64, 256}) {
        double tps = EngineBench.decodeTokensPerSecond(worker, slots, 1.0);
        memory.sample();
        System.out.printf(Locale.ROOT, "  decode batch %3d (float16 worker): %,.0f tokens/s%n", slots, tps);
      }
      double[] ms = TrainStepBench.millis(trainer, JobRunner.ALGORITHMS.fromYaml("{name: grpo}"), ROWS / 8,
          MICRO_BATCH, PROMPT, RESPONSE, 1, 3);
      memory.sample();
      double step = BenchCommand.median(ms) / 1e3;
      long tokens = (long) ROWS * (PROMPT + RESPONSE);
      double flops = 6.0 * trainer.parameterCount() * tokens; // forward 2N, backward 4N per token; attention aside
      System.out.printf(Locale.ROOT, "  train step, %d x %d tokens (GRPO, AdamW, float32, micro-batches of %d): %.2f s, "
          + "%,.0f tokens/s, model FLOPs utilisation %.0f%% of %.0f TFLOPS (6 N per token)%n", ROWS, PROMPT + RESPONSE,
          MICRO_BATCH, step, tokens / step, 100 * flops / step / (peakTflops * 1e12), peakTflops);
      Map<String, Double> phases = phases(trainer, worker, memory);
      double total = phases.values().stream().mapToDouble(Double::doubleValue).sum();
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  one colocated step, %.1f s:", total));
      phases.forEach((name, s) -> line.append(String.format(Locale.ROOT, " %s %.0f%%", name, 100 * s / total)));
      System.out.println(line);
      System.out.printf(Locale.ROOT, "  GPU memory in use at the peak: %.1f GiB of %.1f GiB%n", memory.peak / 1073741824.0,
          memory.total / 1073741824.0);
    }
    return true;
  }

  /** Seconds of each phase of one step: 64 responses of 448 tokens, then the trainer's work on them. */
  private static Map<String, Double> phases(TransformerPolicy trainer, TransformerPolicy worker, Memory memory) {
    Map<String, Double> out = new LinkedHashMap<>();
    SplittableRandom rng = new SplittableRandom(3);
    long t0 = System.nanoTime();
    SamplingParams params = new SamplingParams(RESPONSE, 1.0, 0, 1.0, new int[0]);
    try (GenerationEngine engine = new GenerationEngine(worker, params, ROWS, PROMPT)) {
      for (int i = 0; i < ROWS; i++) {
        engine.start(List.of(new GenerationEngine.Request(rng.ints(PROMPT, 0, 151_936).toArray(), i, i)));
      }
      while (!engine.idle()) {
        engine.step();
      }
    }
    out.put("generation", seconds(t0));
    memory.sample();
    NDManager m = trainer.manager();
    AdamW optimizer = new AdamW(trainer.parameters(), 0.9, 0.999, 1e-8, 0.0);
    try (NDScope ignored = new NDScope()) {
      NDArray tokens = m.randomInteger(0, 151_936, new Shape(ROWS, PROMPT + RESPONSE), DataType.INT64);
      t0 = System.nanoTime();
      trainer.nextTokenLogProbs(tokens, 1.0, MICRO_BATCH).sum().getFloat();
      out.put("log-prob recomputation", seconds(t0));
      t0 = System.nanoTime();
      for (int r = 0; r < ROWS; r += MICRO_BATCH) {
        try (NDScope chunk = new NDScope(); GradientCollector gc = Autograd.collector()) {
          NDArray loss = trainer.nextTokenLogProbs(tokens.get(r + ":" + (r + MICRO_BATCH)), 1.0).mean().neg();
          gc.backward(loss);
          loss.getFloat();
        }
      }
      out.put("forward + backward", seconds(t0));
      memory.sample();
      t0 = System.nanoTime();
      optimizer.gradientNorm();
      optimizer.step(1e-6, 1.0);
      waitFor(trainer.parameters().values().iterator().next());
      out.put("optimizer", seconds(t0));
      memory.sample();
    }
    t0 = System.nanoTime();
    try (PolicyWeights w = PolicyWeights.copyOf(trainer)) {
      worker.loadWeights(w.arrays());
      waitFor(worker.parameters().values().iterator().next());
    }
    out.put("hand-off", seconds(t0));
    memory.sample();
    return out;
  }

  /** Returns once the device has written {@code a}: reads one value that depends on all of it. */
  private static void waitFor(NDArray a) {
    try (NDArray sum = a.sum(); NDArray f = sum.toType(DataType.FLOAT32, false)) {
      f.getFloat();
    }
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double matmulTflops(Device gpu) {
    try (NDManager m = NDManager.newBaseManager(gpu)) {
      NDArray a = m.randomNormal(new Shape(8192, 8192));
      a.matMul(a).sum().getFloat();
      long t0 = System.nanoTime();
      NDArray c = a;
      for (int i = 0; i < 10; i++) {
        c = a.matMul(a);
      }
      c.sum().getFloat();
      return 10 * 2.0 * Math.pow(8192, 3) / seconds(t0) / 1e12;
    }
  }

  /** GPU memory in use (all processes), sampled at the end of each phase; the caching allocator keeps its peak. */
  private static final class Memory {
    final Device gpu;
    final long total;
    long peak;

    Memory(Device gpu) {
      this.gpu = gpu;
      this.total = ai.djl.util.cuda.CudaUtils.getGpuMemory(gpu).getMax();
    }

    void sample() {
      peak = Math.max(peak, total - Placement.freeBytes(gpu));
    }
  }
}
