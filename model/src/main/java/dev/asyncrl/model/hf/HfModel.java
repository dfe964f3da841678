package dev.asyncrl.model.hf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.model.LoraSpec;
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
    checkComputeType(dtype);
    HfConfig config = HfConfig.read(dir);
    config.checkSequenceLength(maxSeqLen, dir.resolve("config.json"));
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
    checkComputeType(dtype);
    LlamaArchitecture arch = new LlamaArchitecture(config, maxSeqLen);
    NDManager manager = NDManager.newBaseManager(device);
    return new TransformerPolicy(arch, manager, arch.initialize(manager, seed, dtype));
  }

  /** DJL aborts the JVM on bfloat16 arrays, so a model cannot compute in it; say so instead. */
  private static void checkComputeType(DataType dtype) {
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.FLOAT64) {
      throw new IllegalArgumentException("cannot compute in " + dtype + ": a model runs in float32 or float16 "
          + "(bfloat16 checkpoints are widened to float32 on load; DJL cannot hold bfloat16 arrays)");
    }
  }

  /** Tensors some exporters add that carry no weights of their own. */
  private static boolean ignorable(String name, HfConfig config) {
    return name.endsWith("rotary_emb.inv_freq") || (config.tieWordEmbeddings() && name.equals("lm_head.weight"));
  }

  /**
   * Writes {@code policy} (a Llama-family model; LoRA adapters merged in) as a Hugging Face folder:
   * config.json, weights stored as {@code storage} (sharded above {@code maxShardBytes}), and the tokenizer
   * files found in {@code tokenizerFrom} (may be null). Returns the files written.
   */
  public static List<Path> save(TransformerPolicy policy, Path dir, TensorDType storage, long maxShardBytes,
      Path tokenizerFrom) {
    LlamaArchitecture arch = llama(policy);
    try (NDScope ignored = new NDScope()) {
      Files.createDirectories(dir);
      List<Path> written = new ArrayList<>();
      Path config = dir.resolve("config.json");
      Files.writeString(config, arch.config().toJson(storage));
      written.add(config);
      written.addAll(SafetensorsWriter.writeModel(dir, policy.mergedWeights(), storage, maxShardBytes));
      written.addAll(copyTokenizer(tokenizerFrom, dir));
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model folder " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes only the LoRA adapters, as PEFT does: {@code adapter_model.safetensors} (names prefixed
   * {@code base_model.model.}) and {@code adapter_config.json} naming {@code baseModel}; plus the tokenizer files.
   */
  public static List<Path> saveAdapter(TransformerPolicy policy, Path dir, Path baseModel) {
    llama(policy);
    LoraSpec spec = policy.lora().orElseThrow(() -> new IllegalArgumentException("the policy has no LoRA adapters"));
    Map<String, NDArray> named = new LinkedHashMap<>();
    policy.parameters().forEach((name, array) -> named.put(PEFT_PREFIX + name, array));
    try {
      Files.createDirectories(dir);
      List<Path> written = new ArrayList<>();
      Path weights = dir.resolve("adapter_model.safetensors");
      SafetensorsWriter.write(weights, named, TensorDType.F32, Map.of("format", "pt"));
      written.add(weights);
      ObjectMapper json = new ObjectMapper();
      ObjectNode config = json.createObjectNode();
      config.put("peft_type", "LORA");
      config.put("task_type", "CAUSAL_LM");
      config.put("base_model_name_or_path", baseModel.toAbsolutePath().toString());
      config.put("r", spec.rank());
      config.put("lora_alpha", spec.alpha());
      config.put("lora_dropout", spec.dropout());
      config.put("bias", "none");
      config.put("fan_in_fan_out", false);
      var targets = config.putArray("target_modules");
      spec.targets().forEach(targets::add);
      Path configFile = dir.resolve("adapter_config.json");
      Files.writeString(configFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(config));
      written.add(configFile);
      written.addAll(copyTokenizer(baseModel, dir));
      return written;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write adapter folder " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Adds the adapters saved in {@code dir} by {@link #saveAdapter} (or PEFT) to {@code policy}: rank, alpha,
   * dropout and targets from adapter_config.json, weights from adapter_model.safetensors.
   */
  public static void loadAdapter(TransformerPolicy policy, Path dir) {
    Path configFile = dir.resolve("adapter_config.json");
    JsonNode config;
    try {
      config = new ObjectMapper().readTree(Files.readString(configFile));
    } catch (IOException e) {
      throw new IllegalArgumentException(configFile + ": cannot read: " + e.getMessage());
    }
    if (!"LORA".equals(config.path("peft_type").asText())) {
      throw new IllegalArgumentException(configFile + ": peft_type " + config.get("peft_type") + " is not LORA");
    }
    List<String> targets = new ArrayList<>();
    config.path("target_modules").forEach(t -> targets.add(t.asText()));
    policy.enableLora(new LoraSpec(config.path("r").asInt(), config.path("lora_alpha").asDouble(),
        config.path("lora_dropout").asDouble(0), targets), 0);
    Path weights = dir.resolve("adapter_model.safetensors");
    try (SafetensorsFile file = SafetensorsFile.open(weights);
         NDManager scratch = NDManager.newBaseManager(policy.device())) {
      NDList arrays = new NDList();
      for (String name : file.tensors().keySet()) {
        NDArray a = file.read(name, scratch, policy.dataType());
        a.setName(name.startsWith(PEFT_PREFIX) ? name.substring(PEFT_PREFIX.length()) : name);
        arrays.add(a);
      }
      policy.loadWeights(arrays);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(weights + ": " + e.getMessage(), e);
    }
  }

  /** PEFT's prefix for adapter tensor names. */
  public static final String PEFT_PREFIX = "base_model.model.";

  private static LlamaArchitecture llama(TransformerPolicy policy) {
    if (!(policy.architecture() instanceof LlamaArchitecture arch)) {
      throw new IllegalArgumentException("only Hugging Face (Llama-family) models can be saved as a model folder; "
          + "this one is " + policy.architecture().describe());
    }
    return arch;
  }

  private static List<Path> copyTokenizer(Path from, Path dir) throws IOException {
    List<Path> written = new ArrayList<>();
    if (from != null && !from.toAbsolutePath().equals(dir.toAbsolutePath())) {
      for (String name : TOKENIZER_FILES) {
        Path src = from.resolve(name);
        if (Files.isRegularFile(src)) {
          Files.copy(src, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
          written.add(dir.resolve(name));
        }
      }
    }
    return written;
  }
}
