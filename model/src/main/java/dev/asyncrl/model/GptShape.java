package dev.asyncrl.model;

/**
 * The shape of the built-in decoder-only transformer ({@code model.d_model}, {@code n_layers}, {@code n_heads},
 * {@code d_ff}, {@code max_seq_len}).
 */
public record GptShape(int dModel, int nLayers, int nHeads, int dFf, int maxSeqLen) {}
