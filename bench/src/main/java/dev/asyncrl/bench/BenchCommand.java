package dev.asyncrl.bench;

import dev.asyncrl.cli.AsyncRlCommand;
import dev.asyncrl.runtime.JobRunner;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.algorithms.Algorithm;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code asyncrl bench}: the performance targets, measured on this machine. Medians over repeated
 * runs after warm-up; the async-vs-sync comparison trains the quickstart config both ways.
 */
@Command(name = "asyncrl bench", mixinStandardHelpOptions = true, versionProvider = AsyncRlCommand.Version.class, description = "Measure trainer step, sampling, weight hand-off and async vs sync throughput.")
public final class BenchCommand implements Callable<Integer> {

  /** {@code asyncrl bench} runs this (the benchmarks ship in their own jar, not in the asyncrl jar). */
  public static void main(String[] args) {
    System.exit(AsyncRlCommand.execute(new BenchCommand(), args));
  }

  static final GptShape BENCH_MODEL = new GptShape(128, 4, 4, 512, 64);
  static final int VOCAB = 64;

  @Option(names = "--quickstart", description = "config for the async-vs-sync comparison")
  Path quickstart = Path.of("configs/quickstart.yaml");

  @Option(names = "--steps", description = "trainer steps per async/sync run (default ${DEFAULT-VALUE})")
  int steps = 1500;

  /** Every benchmark {@code --only} accepts. */
  static final java.util.List<String> BENCHMARKS = java.util.List.of("train-step", "vcpo-overhead", "sampling",
      "handoff", "async", "kafka-throughput", "kafka-latency", "weight-broadcast", "qwen-sampling", "qwen-train-full",
      "qwen-train-lora", "engine-decode", "engine-longtail", "engine-position", "gpu");

  @Option(names = "--only", completionCandidates = Names.class, description = "one of: ${COMPLETION-CANDIDATES} (run "
      + "the two qwen-train ones separately: each reports its process's peak memory; engine-decode builds a "
      + "0.5B-parameter model and runs only when named; gpu needs the CUDA build and a GPU)")
  String only;

  /** The names for picocli's help and completion. */
  static final class Names implements Iterable<String> {
    @Override
    public java.util.Iterator<String> iterator() {
      return BENCHMARKS.iterator();
    }
  }

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bootstrap", description = "Kafka broker for the kafka-* and weight-broadcast benchmarks "
      + "(default: a single-node broker started in this JVM)")
  String bootstrap;

  @Option(names = "--write-model", paramLabel = "DIR", description = "write a Qwen2.5-0.5B-shaped model folder with "
      + "random weights and a byte-level tokenizer to DIR (for scripts/gpu-check.sh) and exit")
  Path writeModel;

  @Option(names = "--peak-tflops", description = "the GPU's dense TF32 peak for --only gpu (default ${DEFAULT-VALUE}: "
      + "H100/H200 SXM)")
  double peakTflops = 494.7;

  @Option(names = "--groups", description = "groups sent in the Kafka throughput run (default ${DEFAULT-VALUE})")
  int groups = 100_000;

  @Override
  public Integer call() throws Exception {
    if (only != null && !BENCHMARKS.contains(only)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--only must be one of "
          + String.join(", ", BENCHMARKS) + ", got '" + only + "'");
    }
    if (writeModel != null) {
      GpuCheck.writeModel(writeModel);
      return 0;
    }
    if ("gpu".equals(only)) {
      System.out.println("gpu:");
      return GpuCheck.run(peakTflops) ? 0 : 2;
    }
    ComputeThread.setIntraOpThreads(Integer.getInteger("bench.threads", 2));
    ComputeThread.inferenceOnly();
    boolean dispatchFix = System.getenv().getOrDefault("LD_PRELOAD", "").contains("mkl_cpu_dispatch");
    System.out.printf(Locale.ROOT, "machine: %d cores, java %s, MKL kernels %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), dispatchFix ? "chosen by CPU features (the wrapper's AMD fix)" : "of MKL's own dispatch");
    if (only == null || only.equals("train-step")) {
      trainStep();
    }
    if (only == null || only.equals("vcpo-overhead")) {
      vcpoOverhead();
    }
    if (only == null || only.equals("sampling")) {
      sampling();
    }
    if (only == null || only.equals("handoff")) {
      handoff();
    }
    if (only == null || only.equals("async")) {
      asyncVsSync();
    }
    if (only == null || only.startsWith("kafka-") || only.equals("weight-broadcast")) {
      kafka();
    }
    if (only == null || only.equals("qwen-sampling")) {
      qwenSampling();
    }
    if (only != null && only.startsWith("qwen-train-")) {
      qwenTrain(only.equals("qwen-train-lora"));
    }
    if ("engine-decode".equals(only)) {
      System.out.println("engine-decode:");
      EngineBench.decode();
    }
    if (only == null || only.equals("engine-longtail")) {
      System.out.println("engine-longtail:");
      EngineBench.longTail();
    }
    if (only == null || only.equals("engine-position")) {
      System.out.println("engine-position:");
      EngineBench.position();
    }
    return 0;
  }

  /** d_model 128, 4 layers, 4 heads, vocab 64; batch 32 × (16 prompt + 48 response). */
  private void trainStep() {
    double[] ms = trainStepMillis("{name: grpo}");
    report("trainer step (d128 L4 H4 V64, batch 32 x 64 tokens)", ms, 120);
  }

  /** VCPO's optimal baseline costs one backward per response; compared with GRPO on the same batch. */
  private void vcpoOverhead() {
    double grpo = median(trainStepMillis("{name: grpo}"));
    double tis = median(trainStepMillis("{name: tis}"));
    double vcpo = median(trainStepMillis("{name: vcpo}"));
    double groupMean = median(trainStepMillis("{name: vcpo, baseline: group_mean}"));
    System.out.printf(Locale.ROOT, "vcpo overhead (same batch 32 x 64 tokens, d128 L4): grpo %.1f ms, tis %.1f ms, "
        + "vcpo optimal baseline %.1f ms (%.2fx grpo), vcpo group_mean baseline %.1f ms (%.2fx grpo)%n",
        grpo, tis, vcpo, vcpo / grpo, groupMean, groupMean / grpo);
  }

  private double[] trainStepMillis(String algorithmYaml) {
    try (TransformerPolicy policy = TransformerPolicy.initialize(BENCH_MODEL, VOCAB, 1, Device.cpu(), DataType.FLOAT32)) {
      Algorithm algorithm = JobRunner.ALGORITHMS.fromYaml(algorithmYaml);
      boolean slow = algorithm.advantages().needsTrajectoryStats(); // one backward per response
      return TrainStepBench.millis(policy, algorithm, 16, 48, slow ? 2 : 5, slow ? 8 : 30);
    }
  }

  /** Batched KV-cache sampling for the same model: batch 32, prompt 16, 48 new tokens. */
  private void sampling() {
    try (TransformerPolicy policy = TransformerPolicy.initialize(BENCH_MODEL, VOCAB, 1, Device.cpu(), DataType.FLOAT32)) {
      int[][] prompts = new int[32][];
      SplittableRandom rng = new SplittableRandom(2);
      for (int i = 0; i < 32; i++) {
        prompts[i] = rng.ints(16, 2, VOCAB).toArray();
      }
      SamplingParams params = new SamplingParams(48, 1.0, 0, 1.0, new int[] {});
      double[] ms = time(3, 15, () -> Sampler.generate(policy, prompts, params, rng));
      double tokensPerS = 32 * 48 / (median(ms) / 1000);
      System.out.printf(Locale.ROOT, "%-58s %10.0f tokens/s (median %.1f ms per batch)   target >= 5000: %s%n",
          "sampling (batch 32, 48 new tokens, KV cache)", tokensPerS, median(ms), tokensPerS >= 5000 ? "met" : "MISSED");
    }
  }

  /** Trainer publishes a copy; a worker loads it into its own policy. */
  private void handoff() {
    try (TransformerPolicy trainer = TransformerPolicy.initialize(BENCH_MODEL, VOCAB, 1, Device.cpu(), DataType.FLOAT32);
         TransformerPolicy worker = TransformerPolicy.initialize(BENCH_MODEL, VOCAB, 2, Device.cpu(), DataType.FLOAT32)) {
      trainer.setTrainable(true);
      worker.prepareForDecoding();
      double[] ms = time(10, 50, () -> {
        try (PolicyWeights w = PolicyWeights.copyOf(trainer)) {
          worker.loadWeights(w.arrays());
        }
      });
      report("weight hand-off, publish + load (" + trainer.parameterCount() + " params)", ms, 5);
    }
  }

  /** The quickstart trained asynchronously (max_staleness 2) and synchronously (0): samples per second. */
  private void asyncVsSync() throws Exception {
    double async = samplesPerSecond(2);
    double sync = samplesPerSecond(0);
    System.out.printf(Locale.ROOT, "%-58s async %.0f vs sync %.0f samples/s = %.2fx   target >= 1.6x: %s%n",
        "quickstart throughput (" + steps + " steps)", async, sync, async / sync, async / sync >= 1.6 ? "met" : "MISSED");
  }

  private double samplesPerSecond(int maxStaleness) throws Exception {
    JobConfig job = JobRunner.load(quickstart, List.of("max_staleness=" + maxStaleness, "trainer.steps=" + steps));
    double[] total = new double[2];
    Path runs = java.nio.file.Files.createTempDirectory("asyncrl-bench");
    try {
      JobRunner.train(job, JobRunner.Options.of(job).withRunDir(runs.resolve("run")).withListener(r -> {
        total[0] += r.metrics().get("perf/samples_per_s") * r.metrics().get("perf/step_s");
        total[1] = r.metrics().get("time/elapsed_s");
      }), line -> {});
    } finally {
      JobRunner.clear(runs);
      java.nio.file.Files.deleteIfExists(runs);
    }
    return total[0] / total[1];
  }

  /** Groups through the log (throughput, latency) and policy versions through the weight channel. */
  private void kafka() throws Exception {
    try (KafkaBench bench = KafkaBench.open(bootstrap)) {
      String shape = KafkaBench.RESPONSES + " x " + KafkaBench.TOKENS + " tokens";
      if (only == null || only.equals("kafka-throughput")) {
        bench.throughput(Math.min(groups, 20_000)); // warm-up: JIT, broker segments
        KafkaBench.Throughput t = bench.throughput(groups);
        System.out.printf(Locale.ROOT, "%-58s %s   target >= 5000: %s%n", "kafka produce+consume (" + shape + ", "
            + bench.where() + ")", KafkaBench.describe(t), t.groupsPerSecond() >= 5000 ? "met" : "MISSED");
      }
      if (only == null || only.equals("kafka-latency")) {
        bench.latency(1000, 5); // warm-up
        double[] ms = bench.latency(1000, 30);
        double p99 = KafkaBench.quantile(ms, 0.99);
        System.out.printf(Locale.ROOT, "%-58s p50 %.2f ms, p99 %.2f ms, max %.2f ms over %,d groups   "
            + "target p99 <= 50 ms: %s%n", "kafka end-to-end latency at 1,000 groups/s (" + shape + ")",
            KafkaBench.quantile(ms, 0.5), p99, KafkaBench.quantile(ms, 1.0), ms.length, p99 <= 50 ? "met" : "MISSED");
      }
      if (only == null || only.equals("weight-broadcast")) {
        GptShape model = new GptShape(128, 5, 4, 512, 64);
        int workers = 2;
        double[] ms = bench.weightBroadcast(model, VOCAB, workers, 20);
        long params;
        try (TransformerPolicy p = TransformerPolicy.initialize(model, VOCAB, 1, Device.cpu(), DataType.FLOAT32)) {
          params = p.parameterCount();
        }
        double[] s = ms.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-58s median %.1f ms (p10 %.1f, p90 %.1f, max %.1f)%n",
            "weight broadcast, publish -> " + workers + " workers hold it (" + params + " params)", median(ms),
            s[s.length / 10], s[s.length * 9 / 10], s[s.length - 1]);
      }
    }
  }

  /** KV-cache sampling with the ~25M-parameter Qwen2-shaped model. */
  private void qwenSampling() {
    try (TransformerPolicy policy = HfBench.model()) {
      for (int batch : new int[] {1, 16}) {
        double[] ms = HfBench.samplingMillis(policy, batch, 5);
        double tokensPerS = batch * HfBench.RESPONSE / (median(ms) / 1000);
        System.out.printf(Locale.ROOT, "%-58s %10.0f tokens/s (median %.0f ms per batch)%n", "qwen2-shaped "
            + policy.parameterCount() / 1_000_000 + "M sampling, batch " + batch + ", prompts 48-64, 64 new tokens",
            tokensPerS, median(ms));
      }
    }
  }

  /** One GRPO step on 32 sequences of 128 tokens: full fine-tuning or LoRA (rank 16 on q, k, v, o). */
  private void qwenTrain(boolean lora) {
    try (TransformerPolicy policy = HfBench.model()) {
      if (lora) {
        policy.enableLora(HfBench.lora(), 1);
      }
      double[] ms = TrainStepBench.millis(policy, JobRunner.ALGORITHMS.fromYaml("{name: grpo}"), HfBench.PROMPT,
          HfBench.RESPONSE, 1, 5);
      double[] s = ms.clone();
      Arrays.sort(s);
      System.out.printf(Locale.ROOT, "%-58s median %.0f ms (min %.0f, max %.0f); trained %,d of %,d parameters; "
          + "weights+grads+AdamW %.0f MiB; process peak RSS %d MiB%n",
          "qwen2-shaped train step, " + (lora ? "LoRA r16 q,k,v,o" : "full fine-tuning") + " (32 x 128 tokens)",
          median(ms), s[0], s[s.length - 1], policy.trainableParameterCount(), policy.parameterCount(),
          HfBench.stateBytes(policy) / 1048576.0, HfBench.peakRssMib());
    }
  }

  static double[] time(int warmup, int runs, Runnable body) {
    for (int i = 0; i < warmup; i++) {
      body.run();
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - t) / 1e6;
    }
    return ms;
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Prints the median and spread of {@code ms} against an upper-bound target in milliseconds. */
  private static void report(String what, double[] ms, double targetMs) {
    double med = median(ms);
    double[] s = ms.clone();
    Arrays.sort(s);
    System.out.printf(Locale.ROOT, "%-58s median %8.2f ms (p10 %.2f, p90 %.2f)   target <= %s: %s%n", what, med,
        s[s.length / 10], s[s.length * 9 / 10], targetMs, med <= targetMs ? "met" : "MISSED");
  }
}
