package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model folders that cannot load give one line naming the file and what is wrong. */
class HfModelErrorsTest {

  @TempDir
  Path tmp;

  private String load(Path dir) {
    return assertThrows(IllegalArgumentException.class, () -> HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0))
        .getMessage();
  }

  @Test
  void missingFolderAndFiles() throws Exception {
    assertEquals(tmp.resolve("nope") + ": no such model folder (model.path must be a Hugging Face model folder)",
        load(tmp.resolve("nope")));
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    Files.delete(dir.resolve("model.safetensors"));
    assertEquals(dir + ": no model.safetensors and no model.safetensors.index.json (is this a Hugging Face model "
        + "folder with safetensors weights?)", load(dir));
    Path sharded = TinyCheckpoints.writeCase(tmp, "qwen2-bf16-sharded");
    Path second;
    try (var files = Files.list(sharded)) {
      second = files.filter(p -> p.getFileName().toString().startsWith("model-00002-of-")).findFirst().orElseThrow();
    }
    Files.delete(second);
    String msg = load(sharded);
    assertEquals(true, msg.startsWith(sharded.resolve("model.safetensors.index.json") + ": tensor '"), msg);
    assertEquals(true, msg.endsWith("is in shard " + second.getFileName() + ", which is missing"), msg);
  }

  @Test
  void unsupportedArchitecture() throws Exception {
    Files.writeString(tmp.resolve("config.json"), "{\"architectures\": [\"GPT2LMHeadModel\"], \"n_embd\": 64}");
    assertEquals(tmp.resolve("config.json") + ": architectures [\"GPT2LMHeadModel\"]; supported: LlamaForCausalLM, "
        + "Qwen2ForCausalLM, MistralForCausalLM", load(tmp));
  }

  @Test
  void shapeMismatchBetweenCheckpointAndConfig() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    String config = Files.readString(dir.resolve("config.json")).replace("\"intermediate_size\":160",
        "\"intermediate_size\":128");
    Files.writeString(dir.resolve("config.json"), config);
    assertEquals(dir + ": tensor 'model.layers.0.mlp.gate_proj.weight' has shape (160, 64) in the checkpoint, but "
        + "config.json implies (128, 64)", load(dir));
  }

  @Test
  void slidingWindowShorterThanTheRunIsRejectedAndALongerOneLoads() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    String config = Files.readString(dir.resolve("config.json"));
    Files.writeString(dir.resolve("config.json"), config.replace("\"LlamaForCausalLM\"", "\"MistralForCausalLM\"")
        .replaceFirst("\\{", "{\"sliding_window\":8,"));
    String msg = assertThrows(IllegalArgumentException.class, () -> HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 32))
        .getMessage();
    assertEquals(dir.resolve("config.json") + ": sliding_window 8 is shorter than the 32 tokens this run needs, and "
        + "sliding-window attention is not implemented; set model.max_seq_len to at most 8", msg);
    // Within the window full causal attention is what the windowed model computes.
    HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 8).close();
    // Qwen2 configs carry sliding_window without using it.
    HfConfig qwen = HfConfig.parse("{\"architectures\":[\"Qwen2ForCausalLM\"],\"vocab_size\":8,\"hidden_size\":8,"
        + "\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"sliding_window\":4,"
        + "\"use_sliding_window\":false}", "config.json");
    assertEquals(0, qwen.slidingWindow());
  }

  @Test
  void bfloat16ComputeIsAnErrorNotAnAbort() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    String msg = assertThrows(IllegalArgumentException.class, () -> HfModel.load(dir, Device.cpu(), DataType.BFLOAT16, 0))
        .getMessage();
    assertEquals(true, msg.startsWith("cannot compute in bfloat16: a model runs in float32 or float16"), msg);
  }

  @Test
  void truncatedFile() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    Path file = dir.resolve("model.safetensors");
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    String msg = load(dir);
    assertEquals(true, msg.startsWith(file + ": tensor '") && msg.endsWith("(file truncated?)"), msg);
  }

  /** A file written byte by byte here (not by our writer): BF16 and F16 values convert exactly. */
  @Test
  void readsBf16AndF16WrittenByHand() throws Exception {
    String header = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,6]},"
        + "\"b\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[6,10]},\"__metadata__\":{\"format\":\"pt\"}}";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
    out.write(h);
    ByteBuffer data = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    data.putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x3EAB); // 1.0, -3.0, 0.333984375
    data.putShort((short) 0x3C00).putShort((short) 0xB800);                          // 1.0, -0.5
    out.write(data.array());
    Path file = tmp.resolve("hand.safetensors");
    Files.write(file, out.toByteArray());
    try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
      assertEquals("pt", f.metadata().get("format"));
      assertArrayEquals(new float[] {1.0f, -3.0f, 0.333984375f}, f.read("a", m, DataType.FLOAT32).toFloatArray());
      assertArrayEquals(new float[] {1.0f, -0.5f}, f.read("b", m, DataType.FLOAT32).toFloatArray());
    }
    assertEquals((short) 0x3EAB, SafetensorsWriter.toBf16(0.3337f), "rounded to nearest");
  }
}
