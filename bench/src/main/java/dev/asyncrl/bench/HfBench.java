package dev.asyncrl.bench;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.model.LoraSpec;
import dev.asyncrl.model.Sampler;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.model.hf.HfConfig;
import dev.asyncrl.model.hf.HfModel;
import dev.asyncrl.trainer.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The Hugging Face model benchmarks of {@code asyncrl bench}: a ~25M-parameter Qwen2-shaped model (random
 * weights) on this machine's CPU: KV-cache sampling throughput, and GRPO train-step time and memory with full
 * fine-tuning and with LoRA.
 */
final class HfBench {
  private HfBench() {}

  /** Qwen2 layout at ~25M parameters: d 512, 6 layers, 8 query / 2 key-value heads, vocab 16,384, tied. */
  static final String CONFIG = """
      {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 16384, "hidden_size": 512,
       "intermediate_size": 1408, "num_hidden_layers": 6, "num_attention_heads": 8, "num_key_value_heads": 2,
       "hidden_act": "silu", "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "max_position_embeddings": 1024,
       "tie_word_embeddings": true}
      """;

  static final int PROMPT = 64;
  static final int RESPONSE = 64;

  static TransformerPolicy model() {
    return HfModel.initialize(HfConfig.parse(CONFIG, "bench config"), PROMPT + RESPONSE, 1, Device.cpu(),
        DataType.FLOAT32);
  }

  /** Tokens/s sampling 16 prompts of 48–64 tokens (left-padded in one batch), 64 new tokens each, no stop. */
  static double[] samplingMillis(TransformerPolicy policy, int batch, int runs) {
    SplittableRandom rng = new SplittableRandom(3);
    int[][] prompts = new int[batch][];
    for (int i = 0; i < batch; i++) {
      prompts[i] = rng.ints(PROMPT - rng.nextInt(17), 0, 16384).toArray();
    }
    SamplingParams params = new SamplingParams(RESPONSE, 1.0, 0, 1.0, new int[] {});
    return BenchCommand.time(1, runs, () -> Sampler.generate(policy, prompts, params, rng));
  }

  static LoraSpec lora() {
    return new LoraSpec(16, 32, 0.0, List.of("q_proj", "k_proj", "v_proj", "o_proj"));
  }

  /** Bytes of weights + gradients + AdamW moments (float32): the trainer's state, activations aside. */
  static long stateBytes(TransformerPolicy policy) {
    return 4 * (policy.parameterCount() + 3 * policy.trainableParameterCount());
  }

  /** Peak resident memory of this process ({@code VmHWM}), in MiB; -1 where /proc is not available. */
  static long peakRssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
