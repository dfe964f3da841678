package dev.asyncrl.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.TransformerPolicy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy laid out for decoding (a rollout worker's copy) keeps its parameters' names, shapes and values,
 * takes new weights in place, and refuses to be trained.
 */
class DecodingLayoutTest {

  @TempDir
  Path tmp;

  @BeforeAll
  static void inference() {
    ComputeThread.inferenceOnly();
  }

  @Test
  void parametersKeepTheirNamesShapesAndValues() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "qwen2-bf16-sharded"); // tied embedding, q/k/v biases
    try (TransformerPolicy plain = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0);
         TransformerPolicy laidOut = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0)) {
      laidOut.prepareForDecoding();
      assertTrue(laidOut.preparedForDecoding());
      assertEquals(plain.parameters().keySet(), laidOut.parameters().keySet());
      for (Map.Entry<String, NDArray> e : plain.parameters().entrySet()) {
        NDArray other = laidOut.parameters().get(e.getKey());
        assertEquals(e.getValue().getShape(), other.getShape(), e.getKey());
        assertArrayEquals(e.getValue().toFloatArray(), other.toFloatArray(), e.getKey());
      }
    }
  }

  @Test
  void newWeightsAreWrittenInPlaceAndGiveTheirOwnLogits() throws Exception {
    Path a = TinyCheckpoints.writeCase(tmp, "qwen2-bf16-sharded");
    try (TransformerPolicy source = HfModel.load(a, Device.cpu(), DataType.FLOAT32, 0);
         TransformerPolicy worker = HfModel.load(a, Device.cpu(), DataType.FLOAT32, 0);
         NDManager m = NDManager.newBaseManager()) {
      worker.prepareForDecoding();
      // Different weights of the same shapes: every parameter of the source, scaled and shifted.
      NDList changed = new NDList();
      for (Map.Entry<String, NDArray> e : source.parameters().entrySet()) {
        NDArray w = e.getValue().mul(0.5).add(0.01);
        w.setName(e.getKey());
        changed.add(w);
      }
      source.loadWeights(changed);
      worker.loadWeights(changed);
      assertTrue(worker.preparedForDecoding(), "the layout survives a load");
      for (NDArray w : changed) {
        assertArrayEquals(w.toFloatArray(), worker.parameters().get(w.getName()).toFloatArray(), w.getName());
      }
      NDArray tokens = m.create(new long[] {4, 8, 15, 16, 23, 42, 7}, new Shape(1, 7));
      float[] expected = source.forward(tokens, null).toFloatArray();
      float[] actual = worker.forward(tokens, null).toFloatArray();
      for (int i = 0; i < expected.length; i++) {
        assertEquals(expected[i], actual[i], 1e-4 * Math.max(1, Math.abs(expected[i])), "logit " + i);
      }
    }
  }

  @Test
  void aPolicyLaidOutForDecodingIsNeverTrained() throws Exception {
    Path dir = TinyCheckpoints.writeCase(tmp, "llama3-f32");
    try (TransformerPolicy policy = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0)) {
      policy.prepareForDecoding();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> policy.setTrainable(true));
      assertTrue(e.getMessage().contains("never trained"), e.getMessage());
    }
    try (TransformerPolicy trained = HfModel.load(dir, Device.cpu(), DataType.FLOAT32, 0)) {
      trained.setTrainable(true);
      assertThrows(IllegalStateException.class, trained::prepareForDecoding);
    }
  }
}
