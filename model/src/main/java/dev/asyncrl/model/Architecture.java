package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;

/**
 * The forward computation of one model family over named {@link Weights}. {@link TransformerPolicy} owns
 * the parameters and delegates here, so training, sampling, checkpoints and weight hand-off are the same for
 * every family.
 */
public interface Architecture {

  /** Short description for logs, e.g. {@code "gpt d64 L2"} or {@code "qwen2 d896 L24 H14/2"}. */
  String describe();

  int layers();

  /** Longest sequence (prompt + response) the model accepts. */
  int maxSeqLen();

  int vocabSize();

  /** Key/value heads per layer (fewer than the query heads under grouped-query attention). */
  int kvHeads();

  int headDim();

  /** Every parameter's name and shape (no memory is allocated): for size checks before a model is built. */
  Map<String, Shape> parameterShapes();

  /** Every projection computed through {@link Weights#linear} (names without {@code .weight}): what LoRA can adapt. */
  List<String> projections();

  /**
   * How a policy laid out for decoding ({@link TransformerPolicy#prepareForDecoding}) stores its matrices:
   * each group's members read the same input and become one matrix, computed in one product by
   * {@link Weights#project}; a group of one is stored transposed on its own. By default every projection
   * alone.
   */
  default List<List<String>> decodingGroups() {
    return projections().stream().map(List::of).toList();
  }

  /**
   * Logits for {@code tokens [B, S]} at positions {@code cache.length() ..}.
   *
   * @param cache null for a whole-sequence forward; otherwise extended with this call's keys and values,
   *     and its {@link KvCache#rowStarts()} take the place of {@code leftPad}
   * @param leftPad per row, how many leading columns are padding (prompts of different lengths in one
   *     batch); null when no row is padded on the left. Padded columns are never attended to and positions
   *     count from each row's first real token.
   * @param rows the positions that get logits ({@link LogitRows})
   * @return {@code [B, S − column, V]} for {@link LogitRows.From} (row {@code s} predicts the token after
   *     {@code tokens[:, column + s]}), {@code [N, V]} for {@link LogitRows.At}
   */
  NDArray forward(Weights weights, NDArray tokens, KvCache cache, int[] leftPad, LogitRows rows);
}
