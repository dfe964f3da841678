package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobRunnerTest {

  @TempDir
  Path tmp;

  /** A small, fast job; overrides are applied on top. */
  static JobConfig job(String... overrides) {
    ConfigSource source = ConfigSource.fromString("""
        seed: 3
        model: {d_model: 32, n_layers: 1, n_heads: 2, max_seq_len: 12}
        task: {name: modsum}
        rollout: {workers: 3, group_size: 4, groups_per_batch: 2, max_new_tokens: 3}
        trainer: {steps: 25, groups_per_step: 3, lr: 1.0e-3}
        datastore: {capacity: 4}
        """, "test.yaml");
    for (String o : overrides) {
      source.override(o);
    }
    return JobConfig.from(JobRunner.ALGORITHMS.jobSchema().resolve(source));
  }

  /** Records every appended group id; otherwise the in-memory store. */
  static final class RecordingStore implements TrajectoryStore {
    final InMemoryTrajectoryStore inner;
    final List<Long> appended = Collections.synchronizedList(new ArrayList<>());

    RecordingStore(int capacity) {
      inner = new InMemoryTrajectoryStore(capacity);
    }

    @Override
    public void append(TrajectoryGroup group) throws InterruptedException {
      inner.append(group);
      appended.add(group.groupId());
    }

    @Override
    public void flush() {
      inner.flush();
    }

    @Override
    public TrajectoryGroup poll(Duration timeout) throws InterruptedException {
      return inner.poll(timeout);
    }

    @Override
    public long consumed() {
      return inner.consumed();
    }

    @Override
    public dev.asyncrl.datastore.StorePosition position() {
      return inner.position();
    }

    @Override
    public void seek(dev.asyncrl.datastore.StorePosition position) {
      inner.seek(position);
    }

    @Override
    public void commit(dev.asyncrl.datastore.StorePosition position) {
      inner.commit(position);
    }

    @Override
    public int buffered() {
      return inner.buffered();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** Trains {@code job} in a new run folder under the test's temporary folder, with {@code store} as its store. */
  List<StepReport> run(JobConfig job, RecordingStore store) throws Exception {
    return run(job, store, java.nio.file.Files.createTempDirectory(tmp, "run"));
  }

  static List<StepReport> run(JobConfig job, RecordingStore store, Path runDir) throws Exception {
    List<StepReport> reports = new ArrayList<>();
    JobRunner.train(job, JobRunner.Options.of(job).withRunDir(runDir).withListener(reports::add), line -> {}, store);
    return reports;
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"grpo, false", "dapo, false", "grpo, true"})
  void asynchronousRunRespectsTheStalenessBoundAndTrainsEveryGroupExactlyOnce(String algorithm, boolean partial)
      throws Exception {
    JobConfig job = job("max_staleness=1", "algorithm.name=" + algorithm, "rollout.partial=" + partial);
    RecordingStore store = new RecordingStore(job.get(JobSchema.STORE_CAPACITY));
    List<StepReport> reports = run(job, store);
    assertEquals(25, reports.size());
    List<Long> trained = new ArrayList<>();
    List<Long> dropped = new ArrayList<>();
    List<Long> filtered = new ArrayList<>();
    for (StepReport r : reports) {
      assertEquals(3, r.trainedGroups().size());
      for (long s : r.trainedStaleness()) {
        assertTrue(s >= 0 && s <= 1, "step " + r.step() + " trained staleness " + s);
      }
      assertTrue(r.metrics().get("staleness/max") <= 1);
      // Counted from each group's oldest token, the bound also covers every newer token.
      double max = r.metrics().get("staleness/max");
      assertTrue(r.metrics().get("staleness/token_mean") <= max && r.metrics().get("staleness/newest_mean") <= max);
      assertTrue(r.metrics().get("staleness/newest_mean") >= 0);
      trained.addAll(r.trainedGroups());
      dropped.addAll(r.droppedGroups());
      filtered.addAll(r.filteredGroups());
    }
    if (algorithm.equals("dapo")) {
      assertFalse(filtered.isEmpty(), "modsum with 4 samples per group has all-equal groups for dynamic sampling to skip");
    }
    List<Long> leftover = new ArrayList<>();
    for (TrajectoryGroup g; (g = store.poll(Duration.ZERO)) != null; ) {
      leftover.add(g.groupId());
    }
    Set<Long> accounted = new HashSet<>(trained);
    assertEquals(trained.size(), accounted.size(), "a group was trained twice");
    for (long id : dropped) {
      assertTrue(accounted.add(id), "group " + id + " both dropped and trained, or dropped twice");
    }
    for (long id : filtered) {
      assertTrue(accounted.add(id), "group " + id + " both filtered and trained or dropped");
    }
    for (long id : leftover) {
      assertTrue(accounted.add(id), "group " + id + " still buffered but already consumed");
    }
    assertEquals(new HashSet<>(store.appended), accounted, "every appended group is trained, dropped, filtered or buffered");
    assertEquals(store.appended.size(), accounted.size());
  }

  /** samples.jsonl: the first response of each of the first trainer.log_samples groups, decoded, every step. */
  @Test
  void samplesOfEachStepAreWrittenAsText() throws Exception {
    JobConfig job = job("trainer.steps=4", "trainer.log_samples=2");
    Path runDir = Files.createTempDirectory(tmp, "run");
    List<StepReport> reports = run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)), runDir);
    List<dev.asyncrl.core.JsonLines.Line> lines = dev.asyncrl.core.JsonLines.read(runDir.resolve("samples.jsonl"));
    assertEquals(8, lines.size());
    for (int i = 0; i < lines.size(); i++) {
      var line = lines.get(i).value();
      StepReport r = reports.get(i / 2);
      assertEquals(r.step(), line.get("step").asInt());
      assertEquals(r.trainedGroups().get(i % 2), line.get("group").asLong());
      var t = r.trained().get(i % 2).trajectories().get(0);
      assertEquals(t.reward(), line.get("reward").asDouble());
      assertEquals(t.responseTokens().length, line.get("response_tokens").asInt());
      assertTrue(line.get("prompt").asText().length() == t.promptTokens().length, "the character tokenizer decodes one "
          + "character per token: " + line);
    }
  }

  @Test
  void synchronousRunTrainsOnlyOnSamplesFromTheCurrentWeights() throws Exception {
    JobConfig job = job("max_staleness=0", "trainer.steps=15");
    List<StepReport> reports = run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)));
    for (StepReport r : reports) {
      assertEquals(List.of(0L, 0L, 0L), r.trainedStaleness(), "step " + r.step());
      assertTrue(r.droppedGroups().isEmpty());
    }
  }

  /**
   * Workers sampling in float16 record behaviour log-probs that differ from the trainer's float32 ones on the
   * very same weights; rollout/logprob_mismatch shows by how much, and training goes on.
   */
  @Test
  void halfPrecisionRolloutReportsItsLogProbMismatch() throws Exception {
    double[] mismatch = new double[2];
    String[] dtypes = {"float32", "float16"};
    for (int i = 0; i < 2; i++) {
      JobConfig job = job("max_staleness=0", "trainer.steps=4", "model.rollout_dtype=" + dtypes[i]);
      List<StepReport> reports = run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)));
      assertEquals(4, reports.size());
      for (StepReport r : reports) {
        assertTrue(Double.isFinite(r.metrics().get("loss/policy")), dtypes[i] + " step " + r.step());
        mismatch[i] = Math.max(mismatch[i], r.metrics().get("rollout/logprob_mismatch"));
      }
    }
    assertTrue(mismatch[0] < 1e-6, "float32 workers match the trainer up to batch-shape rounding: " + mismatch[0]);
    assertTrue(mismatch[1] > 1e-5 && mismatch[1] > 100 * mismatch[0],
        "float16 workers differ visibly: " + mismatch[1] + " vs " + mismatch[0]);
  }

  @Test
  void lagMakesEveryGroupExactlyThatManyVersionsOld() throws Exception {
    JobConfig job = job("max_staleness=0", "rollout.lag=3", "trainer.steps=12");
    for (StepReport r : run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)))) {
      long expected = Math.min(3, r.step() - 1); // before version 3 exists, workers hold version 0
      for (long s : r.trainedStaleness()) {
        assertEquals(expected, s, "step " + r.step());
      }
      assertTrue(r.droppedGroups().isEmpty());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"grpo", "dr_grpo", "dapo", "rloo", "loop", "tis", "vcpo", "ppo"})
  void everyAlgorithmRunsFromYamlWithItsMetrics(String algorithm) throws Exception {
    JobConfig job = job("trainer.steps=6", "algorithm.name=" + algorithm);
    List<StepReport> reports = run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)));
    assertEquals(6, reports.size());
    for (String metric : List.of("is/ess_ratio", "train/lr_effective", "loss/kl_behaviour", "loss/filtered_token_frac",
        "train/grad_norm", "loss/policy")) {
      for (StepReport r : reports) {
        assertTrue(Double.isFinite(r.metrics().get(metric)), algorithm + " " + metric + " at step " + r.step());
      }
    }
    if (algorithm.equals("vcpo")) {
      assertTrue(reports.get(5).metrics().containsKey("vcpo/baseline_shift"));
    }
  }

  @Test
  void klPenaltyKeepsTheInitialPolicyAsReferenceAndMeasuresDrift() throws Exception {
    JobConfig job = job("algorithm.name=ppo", "algorithm.kl_coef=0.1", "trainer.steps=10", "trainer.lr=1.0e-2");
    List<StepReport> reports = run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)));
    assertEquals(0.0, reports.get(0).metrics().get("loss/kl_ref"), 1e-6, "the first update starts at the reference");
    assertTrue(reports.get(9).metrics().get("loss/kl_ref") > 1e-4, "after 9 updates the policy has left the reference");
  }

  @ParameterizedTest
  @ValueSource(strings = {"grpo", "vcpo"})
  void nativeMemoryStaysFlatAcrossSteps(String algorithm) throws Exception {
    JobConfig job = job("trainer.steps=40", "algorithm.name=" + algorithm, "algorithm.kl_coef=0.05", "trainer.mini_batches=3");
    List<StepReport> reports = run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)));
    double early = reports.get(4).metrics().get("memory/trainer_native_arrays");
    for (StepReport r : reports.subList(5, reports.size())) {
      assertEquals(early, r.metrics().get("memory/trainer_native_arrays"), "step " + r.step());
    }
  }

  @Test
  void checkpointsAreWrittenEveryNStepsAndAtTheEnd() throws Exception {
    JobConfig job = job("trainer.steps=5", "trainer.checkpoint_every=2");
    run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)), tmp);
    Path dir = tmp.resolve("checkpoints");
    for (String step : List.of("step-2", "step-4", "step-5")) {
      assertTrue(Files.isRegularFile(dir.resolve(step).resolve("policy.safetensors")), step);
      assertTrue(Files.isRegularFile(dir.resolve(step).resolve("optimizer.safetensors")), step);
      assertTrue(Files.readString(dir.resolve(step).resolve("state.json")).contains("\"policy_version\""), step);
    }
    assertFalse(Files.exists(dir.resolve("step-3")));
  }

  @Test
  void onlyTheNewestCheckpointsAreKeptWhenAsked() throws Exception {
    JobConfig job = job("trainer.steps=7", "trainer.checkpoint_every=1", "trainer.keep_checkpoints=2");
    run(job, new RecordingStore(job.get(JobSchema.STORE_CAPACITY)), tmp);
    try (var dirs = Files.list(tmp.resolve("checkpoints"))) {
      assertEquals(List.of("step-6", "step-7"), dirs.map(d -> d.getFileName().toString()).sorted().toList());
    }
    assertTrue(Files.exists(tmp.resolve("checkpoints/step-7/manifest.json")));
  }
}
