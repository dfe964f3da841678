package dev.asyncrl.model.hf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.model.TransformerPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face model folders in and out: {@code config.json} + safetensors weights (single or sharded, any
 * float type) become a {@link TransformerPolicy} with a {@link LlamaArchitecture}; a trained policy is
 * written back as a folder other tools load (config, weights, and the tokenizer files of the source folder).
 */
public final class HfModel {
  private HfModel() {}

  /** Files of a model folder that describe the tokenizer and generation; copied when saving. */
  public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
      "special_tokens_map.json", "generation_config.json", "vocab.json", "merges.txt", "tokenizer.model");

  /**
   * Loads the model in {@code dir} onto {@code device}, floats converted to {@code dtype}.
   *
   * @param maxSeqLen the longest prompt + response this run feeds; 0 = the config's max_position_embeddings
   */
  public static TransformerPolicy load(Path dir, Device device, DataType dtype, int maxSeqLen) {
    HfConfig config = HfConfig.read(dir);
    if (maxSeqLen > config.maxPositions()) {
      throw new IllegalArgumentException(dir.resolve("config.json") + ": max_position_embeddings "
          + config.maxPositions() + " is shorter than the " + maxSeqLen + " tokens this run needs");
    }
    LlamaArchitecture arch = new LlamaArchitecture(config, maxSeqLen > 0 ? maxSeqLen : config.maxPositions());
    Map<String, Shape> expected = arch.parameterShapes();
    NDManager manager = NDManager.newBaseManager(device);
    try (CheckpointFiles files = CheckpointFiles.open(dir)) {
      Map<String, SafetensorsFile.TensorInfo> found = files.tensors();
      for (Map.Entry<String, SafetensorsFile.TensorInfo> e : found.entrySet()) {
        if (!expected.containsKey(e.getKey()) && !ignorable(e.getKey(), config)) {
          throw new IllegalArgumentException(dir + ": the checkpoint has tensor '" + e.getKey() + "', which a "
              + config.architecture() + " with this config.json does not have");
        }
      }
      Map<String, NDArray> params = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> e : expected.entrySet()) {
        SafetensorsFile.TensorInfo info = found.get(e.getKey());
        if (info == null) {
          throw new IllegalArgumentException(dir + ": the checkpoint lacks tensor '" + e.getKey() + "' "
              + e.getValue() + " that config.json implies");
        }
        if (!info.shape().equals(e.getValue())) {
          throw new IllegalArgumentException(dir + ": tensor '" + e.getKey() + "' has shape " + info.shape()
              + " in the checkpoint, but config.json implies " + e.getValue());
        }
        if (!info.dtype().isFloat()) {
          throw new IllegalArgumentException(dir + ": tensor '" + e.getKey() + "' is " + info.dtype()
              + "; weights must be floating point");
        }
        params.put(e.getKey(), files.read(e.getKey(), manager, dtype));
      }
      return new TransformerPolicy(arch, manager, params);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** A model with {@code config} and fresh weights ({@link LlamaArchitecture#initialize}), not loaded from files. */
  public static TransformerPolicy initialize(HfConfig config, int maxSeqLen, long seed, Device device, DataType dtype) {
    LlamaArchitecture arch = new LlamaArchitecture(config, maxSeqLen);
    NDManager manager = NDManager.newBaseManager(device);
    return new TransformerPolicy(arch, manager, arch.initialize(manager, seed, dtype));
  }

  /** Tensors some exporters add that carry no weights of their own. */
  private static boolean ignorable(String name, HfConfig config) {
    return name.endsWith("rotary_emb.inv_freq") || (config.tieWordEmbeddings() && name.equals("lm_head.weight"));
  }

  /**
   * Writes {@code policy} (a Llama-family model) as a Hugging Face folder: config.json, weights stored as
   * {@code storage} (sharded above {@code maxShardBytes}), and the tokenizer files found in
   * {@code tokenizerFrom} (may be null). Returns the files written.
   */
  public static List<Path> save(TransformerPolicy policy, Path dir, TensorDType storage, long maxShardBytes,
      Path tokenizerFrom) {
    if (!(policy.architecture() instanceof LlamaArchitecture arch)) {
      throw new IllegalArgumentException("only Hugging Face (Llama-family) models can be saved as a model folder; "
          + "this one is " + policy.architecture().describe());
    }
    try {
      Files.createDirectories(dir);
      List<Path> written = new ArrayList<>();
      Path config = dir.resolve("config.json");
      Files.writeString(config, arch.config().toJson());
      written.add(config);
      written.addAll(SafetensorsWriter.writeModel(dir, policy.parameters(), storage, maxShardBytes));
      if (tokenizerFrom != null && !tokenizerFrom.toAbsolutePath().equals(dir.toAbsolutePath())) {
        for (String name : TOKENIZER_FILES) {
          Path src = tokenizerFrom.resolve(name);
          if (Files.isRegularFile(src)) {
            Files.copy(src, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            written.add(dir.resolve(name));
          }
        }
      }
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model folder " + dir + ": " + e.getMessage(), e);
    }
  }
}
