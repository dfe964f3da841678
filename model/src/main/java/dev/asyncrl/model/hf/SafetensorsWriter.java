package dev.asyncrl.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as safetensors files the way Hugging Face tools expect them: one file, or several shards
 * with a {@code model.safetensors.index.json} that maps each tensor to its shard. Floating-point tensors are
 * stored as {@code F32}, {@code F16} or {@code BF16} (rounded to nearest even). Files are written to a
 * temporary name and renamed, so a crash never leaves a half-written file.
 */
public final class SafetensorsWriter {
  private SafetensorsWriter() {}

  public static final String INDEX = "model.safetensors.index.json";
  public static final String SINGLE = "model.safetensors";

  /**
   * Writes {@code tensors} into {@code dir}: {@value #SINGLE} when they fit in {@code maxShardBytes}, else
   * {@code model-0000i-of-0000n.safetensors} shards and the index. Returns the files written.
   *
   * @param floatType storage type of floating-point tensors: F32, F16 or BF16
   */
  public static List<Path> writeModel(Path dir, Map<String, NDArray> tensors, TensorDType floatType, long maxShardBytes) {
    List<Map<String, NDArray>> shards = new ArrayList<>();
    Map<String, NDArray> current = new LinkedHashMap<>();
    long currentBytes = 0;
    long total = 0;
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      long bytes = e.getValue().getShape().size() * storedType(e.getValue(), floatType).bytes();
      if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
        shards.add(current);
        current = new LinkedHashMap<>();
        currentBytes = 0;
      }
      current.put(e.getKey(), e.getValue());
      currentBytes += bytes;
      total += bytes;
    }
    shards.add(current);
    try {
      Files.createDirectories(dir);
      if (shards.size() == 1) {
        Path file = dir.resolve(SINGLE);
        write(file, shards.get(0), floatType, Map.of("format", "pt"));
        return List.of(file);
      }
      List<Path> files = new ArrayList<>();
      ObjectMapper json = new ObjectMapper();
      ObjectNode index = json.createObjectNode();
      index.putObject("metadata").put("total_size", total);
      ObjectNode weightMap = index.putObject("weight_map");
      for (int i = 0; i < shards.size(); i++) {
        String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
        write(dir.resolve(name), shards.get(i), floatType, Map.of("format", "pt"));
        shards.get(i).keySet().forEach(t -> weightMap.put(t, name));
        files.add(dir.resolve(name));
      }
      Path indexFile = dir.resolve(INDEX);
      Files.writeString(indexFile, json.writerWithDefaultPrettyPrinter().writeValueAsString(index));
      files.add(indexFile);
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model files to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Writes one safetensors file atomically (temp file + rename). */
  public static void write(Path file, Map<String, NDArray> tensors, TensorDType floatType, Map<String, String> metadata) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      write(out, tensors, floatType, metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes one safetensors file to {@code out}: the header, then each tensor's bytes. Offsets are 64-bit, so
   * files above 2 GiB are valid (DJL's {@code NDList.encode} overflows them there).
   *
   * @param floatType storage type of floating-point tensors; null keeps each tensor's own type
   */
  public static void write(OutputStream out, Map<String, NDArray> tensors, TensorDType floatType,
      Map<String, String> metadata) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = json.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    List<TensorDType> types = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      TensorDType t = storedType(e.getValue(), floatType);
      types.add(t);
      long bytes = e.getValue().getShape().size() * t.bytes();
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", t.name());
      var shape = entry.putArray("shape");
      for (long d : e.getValue().getShape().getShape()) {
        shape.add(d);
      }
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (headerBytes.length + 7) / 8 * 8; // the data starts 8-aligned; the header is padded with spaces
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
    out.write(len.array());
    out.write(headerBytes);
    for (int i = headerBytes.length; i < padded; i++) {
      out.write(' ');
    }
    int i = 0;
    for (NDArray a : tensors.values()) {
      writeTensor(out, a, types.get(i++));
    }
  }

  private static TensorDType storedType(NDArray a, TensorDType floatType) {
    return a.getDataType().isFloating() && floatType != null ? floatType : TensorDType.of(a.getDataType());
  }

  /**
   * Streams {@code a}'s bytes as {@code type} from the array's native buffer, a block at a time: no copy of a whole
   * tensor on the Java heap, whatever its size. A tensor above {@link #CHUNK_ELEMENTS} elements is read from its
   * native memory a slice at a time, since one Java buffer holds less than 2 GiB.
   */
  private static void writeTensor(OutputStream out, NDArray a, TensorDType type) throws IOException {
    if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new IllegalStateException("writing safetensors on a big-endian host is not supported");
    }
    long n = a.size();
    if (n <= CHUNK_ELEMENTS) {
      writeSlice(out, a, type);
      return;
    }
    try (NDArray flat = a.reshape(n)) {
      for (long from = 0; from < n; from += CHUNK_ELEMENTS) {
        try (NDArray slice = flat.get(new NDIndex("{}:{}", from, Math.min(n, from + CHUNK_ELEMENTS)))) {
          writeSlice(out, slice, type);
        }
      }
    }
  }

  /** Elements read from native memory at once: 256 MiB of float32. */
  static final long CHUNK_ELEMENTS = 1L << 26;

  private static void writeSlice(OutputStream out, NDArray a, TensorDType type) throws IOException {
    DataType source = type == TensorDType.BF16 ? DataType.FLOAT32 : type.readAs();
    NDArray typed = a.getDataType() == source ? a : a.toType(source, false);
    try {
      ByteBuffer raw = typed.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      byte[] block = new byte[BLOCK];
      if (type == TensorDType.BF16) {
        ByteBuffer shorts = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        while (raw.remaining() >= 4) {
          shorts.clear();
          while (shorts.remaining() >= 2 && raw.remaining() >= 4) {
            shorts.putShort(toBf16(raw.getFloat()));
          }
          out.write(block, 0, shorts.position());
        }
        return;
      }
      while (raw.hasRemaining()) {
        int count = Math.min(BLOCK, raw.remaining());
        raw.get(block, 0, count);
        out.write(block, 0, count);
      }
    } finally {
      if (typed != a) {
        typed.close();
      }
    }
  }

  private static final int BLOCK = 1 << 20;

  /** float32 → bfloat16 bits, rounding to nearest even (NaN stays NaN). */
  static short toBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }
}
