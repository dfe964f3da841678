package dev.asyncrl.algorithms;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * @param loss    the scalar to differentiate
 * @param metrics detached diagnostics by metric name (e.g. {@code loss/clip_frac}), read after backward
 */
public record LossResult(NDArray loss, Map<String, NDArray> metrics) {}
