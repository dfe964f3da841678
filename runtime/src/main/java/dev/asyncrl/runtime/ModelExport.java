package dev.asyncrl.runtime;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asyncrl.core.BadInputException;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.model.PolicyCheckpoint;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.trainer.TrainerCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A trained model as a Hugging Face folder that other tools load: config.json, safetensors weights (LoRA adapters
 * merged in) and the tokenizer files, stored in the source model's dtype unless told otherwise; for a LoRA run also
 * the adapters alone in PEFT's layout. Written at the end of a run and by {@code asyncrl export} from any
 * checkpoint.
 */
public final class ModelExport {
  private ModelExport() {}

  /** Shards above this size, as Hugging Face does for large models. */
  static final long MAX_SHARD_BYTES = 4L << 30;

  /** The storage type of the model in {@code modelDir}: its config.json {@code torch_dtype}, float32 when none. */
  public static TensorDType sourceDtype(Path modelDir) {
    try {
      String name = new ObjectMapper().readTree(modelDir.resolve("config.json").toFile()).path("torch_dtype").asText("");
      return TensorDType.ofTorchName(name).orElse(TensorDType.F32);
    } catch (IOException e) {
      return TensorDType.F32;
    }
  }

  /**
   * Writes {@code policy}, trained by {@code job}: the full model to {@code modelDir} (unless LoRA without
   * {@code lora.save_merged}), and for LoRA the adapters to {@code adapterDir}.
   *
   * @return the files written
   */
  static List<Path> write(JobConfig job, TransformerPolicy policy, TensorDType storage, Path modelDir, Path adapterDir,
      Consumer<String> log) {
    Path source = Path.of(job.get(JobSchema.MODEL_PATH));
    List<Path> written = new ArrayList<>();
    if (policy.lora().isPresent()) {
      written.addAll(HfModel.saveAdapter(policy, adapterDir, source));
      log.accept("saved the LoRA adapter to " + adapterDir);
      if (!job.get(JobSchema.LORA_SAVE_MERGED)) {
        return written;
      }
    }
    written.addAll(HfModel.save(policy, modelDir, storage, MAX_SHARD_BYTES, source));
    log.accept("saved the trained model to " + modelDir + " (" + storage.torchName() + ")");
    return written;
  }

  /**
   * {@code asyncrl export}: the model of checkpoint {@code step} (empty: the newest intact one) of the run in
   * {@code runDir}, stored as {@code storage} (empty: the source model's dtype), into {@code out} (empty:
   * {@code <run>/export/step-N}). A LoRA run's export is the merged model in the folder and the adapters in its
   * {@code adapter/}.
   */
  public static List<Path> fromCheckpoint(Path runDir, Optional<Integer> step, Optional<TensorDType> storage,
      Optional<Path> out, Consumer<String> log) {
    RunFolder run = new RunFolder(runDir);
    if (!Files.isRegularFile(run.config())) {
      throw new BadInputException(runDir + ": not a run folder (it has no config.yaml)");
    }
    JobConfig job = JobRunner.load(run.config(), List.of());
    if (!job.hasPretrained()) {
      throw new BadInputException(runDir + ": the run trained the built-in model, which has no Hugging Face layout; "
          + "export needs a run with model.path");
    }
    Path checkpoint;
    if (step.isPresent()) {
      checkpoint = run.checkpoints().resolve("step-" + step.get());
      if (!Files.isDirectory(checkpoint)) {
        throw new BadInputException(checkpoint + ": no such checkpoint (--step " + step.get() + ")");
      }
      TrainerCheckpoint.damage(checkpoint).ifPresent(problem -> {
        throw new BadInputException(checkpoint + " is damaged: " + problem);
      });
    } else {
      checkpoint = TrainerCheckpoint.latestIntact(run.checkpoints(), log)
          .orElseThrow(() -> new BadInputException(runDir + ": the run has no checkpoint yet"));
    }
    TensorDType dtype = storage.orElseGet(() -> sourceDtype(Path.of(job.get(JobSchema.MODEL_PATH))));
    try (TransformerPolicy policy = JobModel.withLora(job, JobModel.pretrained(job, Device.cpu(), DataType.FLOAT32))) {
      PolicyCheckpoint.load(policy, checkpoint.resolve("policy.safetensors"));
      JobConfig merged = policy.lora().isPresent()
          ? JobRunner.load(run.config(), List.of(JobSchema.LORA_SAVE_MERGED.path() + "=true")) : job;
      Path dir = out.orElse(runDir.resolve("export").resolve(checkpoint.getFileName()));
      log.accept("exporting " + checkpoint);
      return write(merged, policy, dtype, dir, dir.resolve("adapter"), log);
    }
  }
}
