package dev.asyncrl.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a Hugging Face model folder: {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Every shard is opened (headers only); tensors are read one at a time.
 */
public final class CheckpointFiles implements AutoCloseable {

  private final Path dir;
  private final List<SafetensorsFile> files;
  private final Map<String, SafetensorsFile> byTensor;

  private CheckpointFiles(Path dir, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
    this.dir = dir;
    this.files = files;
    this.byTensor = byTensor;
  }

  public static CheckpointFiles open(Path dir) {
    Path index = dir.resolve(SafetensorsWriter.INDEX);
    Path single = dir.resolve(SafetensorsWriter.SINGLE);
    List<SafetensorsFile> files = new ArrayList<>();
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    try {
      if (Files.isRegularFile(index)) {
        Map<String, String> weightMap = readIndex(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
          SafetensorsFile shard = shards.get(e.getValue());
          if (shard == null) {
            Path file = dir.resolve(e.getValue());
            if (!Files.isRegularFile(file)) {
              throw new IllegalArgumentException(index + ": tensor '" + e.getKey() + "' is in shard " + e.getValue()
                  + ", which is missing");
            }
            shard = SafetensorsFile.open(file);
            shards.put(e.getValue(), shard);
            files.add(shard);
          }
          if (!shard.tensors().containsKey(e.getKey())) {
            throw new IllegalArgumentException(index + ": tensor '" + e.getKey() + "' is listed in " + e.getValue()
                + ", which does not hold it");
          }
          byTensor.put(e.getKey(), shard);
        }
      } else if (Files.isRegularFile(single)) {
        SafetensorsFile f = SafetensorsFile.open(single);
        files.add(f);
        f.tensors().keySet().forEach(t -> byTensor.put(t, f));
      } else {
        throw new IllegalArgumentException(dir + ": no " + SafetensorsWriter.SINGLE + " and no "
            + SafetensorsWriter.INDEX + " (is this a Hugging Face model folder with safetensors weights?)");
      }
    } catch (RuntimeException e) {
      files.forEach(SafetensorsFile::close);
      throw e;
    }
    return new CheckpointFiles(dir, files, Collections.unmodifiableMap(byTensor));
  }

  private static Map<String, String> readIndex(Path index) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(index.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(index + ": not valid JSON: " + e.getMessage());
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject()) {
      throw new IllegalArgumentException(index + ": no \"weight_map\" object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  public Path dir() {
    return dir;
  }

  /** Every tensor with its entry, in file order. */
  public Map<String, SafetensorsFile.TensorInfo> tensors() {
    Map<String, SafetensorsFile.TensorInfo> out = new LinkedHashMap<>();
    byTensor.forEach((name, f) -> out.put(name, f.tensors().get(name)));
    return out;
  }

  public boolean has(String name) {
    return byTensor.containsKey(name);
  }

  /** The tensor named {@code name}, floating point converted to {@code floatType}. */
  public NDArray read(String name, NDManager manager, DataType floatType) {
    SafetensorsFile f = byTensor.get(name);
    if (f == null) {
      throw new IllegalArgumentException(dir + ": the checkpoint has no tensor '" + name + "'");
    }
    return f.read(name, manager, floatType);
  }

  @Override
  public void close() {
    files.forEach(SafetensorsFile::close);
  }
}
