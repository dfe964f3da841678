package dev.asyncrl.cli;

import dev.asyncrl.model.hf.TensorDType;
import dev.asyncrl.runtime.ModelExport;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code asyncrl export RUN [--step N] [--dtype D] [--out DIR]}. */
@Command(name = "export", description = "Write the model of one of a run's checkpoints as a Hugging Face folder "
    + "(a LoRA run: the merged model, and the adapters in PEFT's layout under adapter/).")
final class ExportCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "RUN", description = "the run folder (it holds config.yaml and checkpoints/)")
  Path run;

  @Option(names = "--step", paramLabel = "N", description = "the checkpoint step-N (default: the newest intact one)")
  Integer step;

  /** How the weights are stored; {@code source} keeps the dtype of the model the run started from. */
  enum Dtype {
    source(null), float32(TensorDType.F32), float16(TensorDType.F16), bfloat16(TensorDType.BF16);

    final TensorDType storage;

    Dtype(TensorDType storage) {
      this.storage = storage;
    }
  }

  @Option(names = "--dtype", paramLabel = "D", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}: "
      + "the dtype in the source model's config.json, e.g. bfloat16 for Qwen; float32 when it names none)")
  Dtype dtype = Dtype.source;

  @Option(names = "--out", paramLabel = "DIR", description = "where to write (default RUN/export/step-N)")
  Path out;

  @Override
  public Integer call() {
    ModelExport.fromCheckpoint(run, Optional.ofNullable(step), Optional.ofNullable(dtype.storage),
        Optional.ofNullable(out), System.out::println);
    return 0;
  }
}
