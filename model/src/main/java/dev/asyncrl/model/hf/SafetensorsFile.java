package dev.asyncrl.model.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code .safetensors} file, read lazily: the JSON header on open, each tensor's bytes only when asked
 * for, memory-mapped (in windows of at most {@value #WINDOW} bytes, so files and tensors of any size work)
 * and copied once into a native array. Floating-point tensors are converted to the requested compute type
 * on the way; bf16 is widened to float32 bit-exactly.
 */
public final class SafetensorsFile implements AutoCloseable {

  /** Largest mapping made at once. */
  static final int WINDOW = 1 << 30;
  private static final long MAX_HEADER = 100L << 20;

  /** A tensor's entry in the header; offsets are absolute positions in the file. */
  public record TensorInfo(String name, TensorDType dtype, Shape shape, long begin, long end) {}

  private final Path file;
  private final FileChannel channel;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path file, FileChannel channel, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    this.file = file;
    this.channel = channel;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /** Opens {@code file} and reads its header; every problem is an error naming the file. */
  public static SafetensorsFile open(Path file) {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + file + ": " + e.getMessage(), e);
    }
    try {
      long size = size(channel, file);
      if (size < 8) {
        throw bad(file, "is " + size + " bytes long; a safetensors file starts with an 8-byte header length");
      }
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, len, 0);
      long headerLen = len.getLong(0);
      if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
        throw bad(file, "declares a " + headerLen + "-byte header in a " + size + "-byte file; not a safetensors file");
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLen);
      readFully(channel, header, 8);
      JsonNode root;
      try {
        root = new ObjectMapper().readTree(header.array());
      } catch (IOException e) {
        throw bad(file, "has a header that is not JSON: " + e.getMessage());
      }
      if (root == null || !root.isObject()) {
        throw bad(file, "has a header that is not a JSON object");
      }
      long dataStart = 8 + headerLen;
      Map<String, TensorInfo> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        tensors.put(e.getKey(), tensorInfo(file, e.getKey(), e.getValue(), dataStart, size));
      }
      return new SafetensorsFile(file, channel, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static TensorInfo tensorInfo(Path file, String name, JsonNode node, long dataStart, long fileSize) {
    String where = "tensor '" + name + "'";
    JsonNode dtypeNode = node.get("dtype");
    JsonNode shapeNode = node.get("shape");
    JsonNode offsets = node.get("data_offsets");
    if (dtypeNode == null || shapeNode == null || offsets == null || !shapeNode.isArray() || !offsets.isArray()
        || offsets.size() != 2) {
      throw bad(file, where + " lacks dtype, shape or a [begin, end] data_offsets");
    }
    TensorDType dtype = TensorDType.parse(dtypeNode.asText());
    if (dtype == null) {
      throw bad(file, where + " has dtype " + dtypeNode.asText() + ", which asyncrl does not read");
    }
    long[] dims = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shapeNode.get(i).asLong(-1);
      if (dims[i] < 0) {
        throw bad(file, where + " has a negative or non-numeric dimension in shape " + shapeNode);
      }
      elements = Math.multiplyExact(elements, dims[i]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    if (begin < 0 || end < begin || dataStart + end > fileSize) {
      throw bad(file, where + " has data_offsets " + offsets + " outside the " + (fileSize - dataStart)
          + " data bytes (file truncated?)");
    }
    if (end - begin != elements * dtype.bytes()) {
      throw bad(file, where + " holds " + (end - begin) + " bytes, but " + dtype + " " + shapeNode + " needs "
          + elements * dtype.bytes());
    }
    return new TensorInfo(name, dtype, new Shape(dims), dataStart + begin, dataStart + end);
  }

  public Path file() {
    return file;
  }

  /** Tensors in header order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Tensor {@code name} as a new array in {@code manager}. Floating-point tensors become {@code floatType}
   * (null: keep the stored type, bf16 as float32); integer tensors keep their type. A tensor larger than
   * {@link #CHUNK} bytes once read (a float32 7B embedding is 2.2 GB) is read in blocks of whole rows copied into
   * the array one after the other, so no Java buffer comes near the 2 GiB a buffer can hold.
   */
  public NDArray read(String name, NDManager manager, DataType floatType) {
    return read(name, manager, floatType, CHUNK);
  }

  /**
   * Every tensor, named, in the stored type (bf16 as float32), in {@code manager}: a checkpoint of any size (a
   * file above 2 GiB, which DJL's {@code NDList.decode} cannot read, is memory-mapped like any other).
   */
  public ai.djl.ndarray.NDList readAll(NDManager manager) {
    ai.djl.ndarray.NDList out = new ai.djl.ndarray.NDList();
    for (String name : tensors.keySet()) {
      NDArray a = read(name, manager, null);
      a.setName(name);
      out.add(a);
    }
    return out;
  }

  /** Bytes (as read, after bf16 widening) above which a tensor is read in blocks of rows. */
  static final long CHUNK = 1L << 28;

  NDArray read(String name, NDManager manager, DataType floatType, long chunk) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
    }
    int width = t.dtype() == TensorDType.BF16 ? 4 : t.dtype().bytes(); // bytes per element once read
    long elements = (t.end() - t.begin()) / t.dtype().bytes();
    long rows = t.shape().dimension() == 0 ? 1 : t.shape().get(0);
    long rowElements = rows == 0 ? 0 : elements / rows;
    long rowsPerBlock = Math.max(1, chunk / Math.max(1, rowElements * width));
    if (rowsPerBlock >= rows) {
      return convert(block(t, 0, elements, t.shape(), manager), floatType);
    }
    if (rowElements * width > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(file + ": tensor '" + name + "' has rows of " + rowElements * width
          + " bytes; a row is limited to 2 GiB here");
    }
    DataType type = floatType != null && t.dtype().isFloat() ? floatType : t.dtype().readAs();
    NDArray out = manager.zeros(t.shape(), type);
    for (long row = 0; row < rows; row += rowsPerBlock) {
      long n = Math.min(rowsPerBlock, rows - row);
      long[] dims = t.shape().getShape().clone();
      dims[0] = n;
      // Each block is copied into place and closed, so one block's buffer is alive at a time.
      try (NDArray block = convert(block(t, row * rowElements, n * rowElements, new Shape(dims), manager), floatType)) {
        out.set(new ai.djl.ndarray.index.NDIndex(row + ":" + (row + n)), block);
      }
    }
    return out;
  }

  /** Elements {@code [first, first + count)} of {@code t} (in storage order) as an array of {@code shape}. */
  private NDArray block(TensorInfo t, long first, long count, Shape shape, NDManager manager) {
    int stored = t.dtype().bytes();
    long begin = t.begin() + first * stored;
    long end = begin + count * stored;
    long outBytes = t.dtype() == TensorDType.BF16 ? count * 4 : count * stored;
    ByteBuffer out = ByteBuffer.allocateDirect((int) outBytes).order(ByteOrder.nativeOrder());
    try {
      for (long pos = begin; pos < end; pos += WINDOW) {
        int len = (int) Math.min(WINDOW, end - pos);
        MappedByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, pos, len);
        window.order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == TensorDType.BF16) {
          widenBf16(window, out);
        } else {
          copyLittleEndian(window, out, stored);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read tensor '" + t.name() + "' from " + file + ": " + e.getMessage(), e);
    }
    out.flip();
    return manager.create(out, shape, t.dtype().readAs());
  }

  /** {@code raw} as {@code floatType} when it is floating point and of another type (closing {@code raw}). */
  private static NDArray convert(NDArray raw, DataType floatType) {
    if (floatType == null || !raw.getDataType().isFloating() || raw.getDataType() == floatType) {
      return raw;
    }
    try (raw) {
      return raw.toType(floatType, true);
    }
  }

  /** bf16 is the top half of a float32: shifting its bits up 16 gives the exact float32 value. */
  private static void widenBf16(ByteBuffer in, ByteBuffer out) {
    while (in.remaining() >= 2) {
      out.putInt((in.getShort() & 0xFFFF) << 16);
    }
  }

  private static void copyLittleEndian(ByteBuffer in, ByteBuffer out, int width) {
    if (out.order() == ByteOrder.LITTLE_ENDIAN || width == 1) {
      out.put(in);
      return;
    }
    while (in.hasRemaining()) { // a big-endian host: swap each element
      for (int i = width - 1; i >= 0; i--) {
        out.put(in.get(in.position() + i));
      }
      in.position(in.position() + width);
    }
  }

  private static long size(FileChannel channel, Path file) {
    try {
      return channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) {
    try {
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position + buffer.position());
        if (n < 0) {
          throw new IOException("unexpected end of file");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static IllegalArgumentException bad(Path file, String what) {
    return new IllegalArgumentException(file + ": " + what);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already failing
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }
}
