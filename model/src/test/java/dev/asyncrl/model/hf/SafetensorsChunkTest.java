package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tensors too large for one Java buffer are read in blocks of rows and joined, with the same values. */
class SafetensorsChunkTest {

  @TempDir Path dir;

  /**
   * Writes a one-tensor safetensors file: {@code rows × cols} of {@code dtype} (BF16 or F32) where every element
   * of row r holds the float {@code value(r)}.
   */
  static Path write(Path file, String dtype, long rows, int cols, LongUnaryOperator value) throws IOException {
    int width = dtype.equals("BF16") ? 2 : 4;
    long bytes = rows * cols * width;
    String json = "{\"w\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + rows + "," + cols + "],\"data_offsets\":[0,"
        + bytes + "]}}";
    while (json.length() % 8 != 0) {
      json += " ";
    }
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(8 + json.length()).order(ByteOrder.LITTLE_ENDIAN);
      head.putLong(json.length()).put(json.getBytes(StandardCharsets.US_ASCII)).flip();
      out.write(head);
      java.util.Map<Long, ByteBuffer> rowsByValue = new java.util.HashMap<>(); // few distinct rows, each built once
      for (long r = 0; r < rows; r++) {
        ByteBuffer row = rowsByValue.computeIfAbsent(value.applyAsLong(r), v -> {
          ByteBuffer b = ByteBuffer.allocateDirect(cols * width).order(ByteOrder.LITTLE_ENDIAN);
          int bits = Float.floatToRawIntBits(v);
          for (int c = 0; c < cols; c++) {
            if (width == 2) {
              b.putShort((short) (bits >>> 16));
            } else {
              b.putInt(bits);
            }
          }
          return b.flip();
        }).duplicate();
        while (row.hasRemaining()) {
          out.write(row);
        }
      }
    }
    return file;
  }

  @Test
  void aTensorReadInBlocksOfRowsEqualsTheSameTensorReadAtOnce() throws Exception {
    for (String dtype : new String[] {"F32", "BF16"}) {
      Path file = write(dir.resolve(dtype + ".safetensors"), dtype, 10, 7, r -> r * 3 - 5);
      try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
        NDArray whole = f.read("w", m, DataType.FLOAT32);
        NDArray blocks = f.read("w", m, DataType.FLOAT32, 3 * 7 * 4); // 3 rows a block: 4 blocks, the last short
        assertEquals(new Shape(10, 7), blocks.getShape());
        assertArrayEquals(whole.toFloatArray(), blocks.toFloatArray(), 0f, dtype);
        assertEquals(-5f, blocks.getFloat(0, 0));
        assertEquals(22f, blocks.getFloat(9, 6));
      }
    }
  }

  /** Qwen2.5-7B's embedding as bf16 (1.09 GB) becomes a 2.18 GB float32 array: more than one buffer can hold. */
  @Test
  void anEmbeddingLargerThanTwoGibibytesLoads() throws Exception {
    long rows = 152_064;
    int cols = 3_584;
    Path file = write(dir.resolve("embed.safetensors"), "BF16", rows, cols, r -> r % 251);
    try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
      NDArray embedding = f.read("w", m, DataType.FLOAT32);
      assertEquals(new Shape(rows, cols), embedding.getShape());
      long perBlock = SafetensorsFile.CHUNK / (cols * 4L);
      for (long row : new long[] {0, 1, perBlock - 1, perBlock, perBlock + 1, rows - 1}) {
        float[] values = embedding.get(row).toFloatArray();
        assertEquals(cols, values.length);
        assertEquals(row % 251, values[0], "row " + row);
        assertEquals(row % 251, values[cols - 1], "row " + row);
      }
    }
  }

  /**
   * A checkpoint file above 2 GiB holding one tensor above 2 GiB (a 0.5B model's AdamW moments are 4 GB; a 7B
   * model's float32 embedding alone is 2.2 GB), written as checkpoints are, reads back. DJL's {@code NDList.encode}
   * writes 32-bit data offsets that overflow there and its decoder cannot read such a file, so checkpoints are
   * written and read by asyncrl's own safetensors code; and one Java buffer holds less than 2 GiB, so a tensor
   * that large is written a slice at a time.
   */
  @Test
  void aTensorLargerThanTwoGibibytesIsWrittenAndReadsBack() throws Exception {
    Path file = dir.resolve("moments.safetensors");
    long rows = 140_000;
    int cols = 4_000; // 560M float32 elements: 2.24 GB, over 8 write slices
    try (NDManager m = NDManager.newBaseManager()) {
      java.util.Map<String, NDArray> state = new java.util.LinkedHashMap<>();
      NDArray rowValues = m.arange(0, (int) rows, 1, DataType.INT32).mod(1000).toType(DataType.FLOAT32, false)
          .reshape(rows, 1);
      state.put("m.embed", m.zeros(new Shape(rows, cols)).addi(rowValues)); // row r holds r % 1000
      state.put("m.bias", m.full(new Shape(3), 7f));
      try (java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(file))) {
        SafetensorsWriter.write(out, state, null, java.util.Map.of());
      }
      state.values().forEach(NDArray::close);
      org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.size(file) > (1L << 31));
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        ai.djl.ndarray.NDList back = f.readAll(m);
        assertEquals(2, back.size());
        NDArray embed = back.get(0);
        assertEquals("m.embed", embed.getName());
        assertEquals(new Shape(rows, cols), embed.getShape());
        long sliceRows = SafetensorsWriter.CHUNK_ELEMENTS / cols; // rows around the first slice boundary
        for (long row : new long[] {0, 1, sliceRows - 1, sliceRows, sliceRows + 1, 3 * sliceRows + 7, rows - 1}) {
          float[] values = embed.get(row).toFloatArray();
          assertEquals(row % 1000, values[0], "row " + row);
          assertEquals(row % 1000, values[cols - 1], "row " + row);
        }
        assertArrayEquals(new float[] {7f, 7f, 7f}, back.get(1).toFloatArray());
      }
    }
  }
}
