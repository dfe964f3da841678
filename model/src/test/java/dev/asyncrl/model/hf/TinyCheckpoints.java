package dev.asyncrl.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tiny Hugging Face model folders made by tests: config.json plus weights from the formula that
 * {@code src/test/python/llama_goldens.py} also uses, so golden logits computed there apply here.
 */
public final class TinyCheckpoints {
  private TinyCheckpoints() {}

  static int seedOf(String name) {
    int s = 0;
    for (int i = 0; i < name.length(); i++) {
      s = (s + (i + 1) * name.charAt(i)) % 10007;
    }
    return s;
  }

  /** The formula's weights for {@code name}: float64 math, rounded to float32. */
  public static float[] weight(String name, long elements) {
    int s = seedOf(name);
    float[] v = new float[Math.toIntExact(elements)];
    for (int j = 0; j < v.length; j++) {
      double wave = Math.sin(0.731 * j + 0.0137 * s) * Math.cos(0.1337 * j + 0.5 * s);
      double x = name.endsWith("norm.weight") ? 1.0 + 0.1 * wave : name.endsWith(".bias") ? 0.05 * wave : 0.15 * wave;
      v[j] = (float) x;
    }
    return v;
  }

  /** Writes a model folder for {@code configJson}: weights by the formula, stored as {@code storage}. */
  public static Path write(Path dir, String configJson, TensorDType storage, long maxShardBytes) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), configJson);
    HfConfig config = HfConfig.read(dir);
    LlamaArchitecture arch = new LlamaArchitecture(config, config.maxPositions());
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> e : arch.parameterShapes().entrySet()) {
        tensors.put(e.getKey(), m.create(weight(e.getKey(), e.getValue().size()), e.getValue()));
      }
      SafetensorsWriter.writeModel(dir, tensors, storage, maxShardBytes);
    }
    return dir;
  }

  /** The golden cases of {@code llama-goldens.json}. */
  public static JsonNode goldens() throws IOException {
    try (var in = TinyCheckpoints.class.getResourceAsStream("/golden/llama-goldens.json")) {
      return new ObjectMapper().readTree(in);
    }
  }

  /** Writes golden case {@code name} as a model folder under {@code root}. */
  public static Path writeCase(Path root, String name) throws IOException {
    for (JsonNode c : goldens().get("cases")) {
      if (c.get("name").asText().equals(name)) {
        return write(root.resolve(name), c.get("config").toString(), TensorDType.valueOf(c.get("storage").asText()),
            c.get("max_shard_bytes").asLong());
      }
    }
    throw new IllegalArgumentException("no golden case " + name);
  }

  static long[] tokens(JsonNode goldens) {
    JsonNode rows = goldens.get("tokens");
    int cols = rows.get(0).size();
    long[] ids = new long[rows.size() * cols];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < cols; c++) {
        ids[r * cols + c] = rows.get(r).get(c).asLong();
      }
    }
    return ids;
  }
}
