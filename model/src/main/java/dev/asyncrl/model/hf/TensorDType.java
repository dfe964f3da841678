package dev.asyncrl.model.hf;

import ai.djl.ndarray.types.DataType;
import java.util.List;

/** The element types a safetensors file may hold that asyncrl reads, with their size and DJL counterpart. */
public enum TensorDType {
  F64(8, DataType.FLOAT64),
  F32(4, DataType.FLOAT32),
  F16(2, DataType.FLOAT16),
  /** bfloat16: DJL cannot hold it (the JVM aborts), so it is widened to float32 on read. */
  BF16(2, null),
  I64(8, DataType.INT64),
  I32(4, DataType.INT32),
  I8(1, DataType.INT8),
  U8(1, DataType.UINT8),
  BOOL(1, DataType.BOOLEAN);

  private final int bytes;
  private final DataType djl;

  TensorDType(int bytes, DataType djl) {
    this.bytes = bytes;
    this.djl = djl;
  }

  public int bytes() {
    return bytes;
  }

  public boolean isFloat() {
    return this == F64 || this == F32 || this == F16 || this == BF16;
  }

  /** The name config.json's {@code torch_dtype} gives a model stored in this type, e.g. {@code bfloat16}. */
  public String torchName() {
    return switch (this) {
      case F64 -> "float64";
      case F32 -> "float32";
      case F16 -> "float16";
      case BF16 -> "bfloat16";
      default -> throw new IllegalStateException(this + " is not a model's floating-point type");
    };
  }

  /** The floating-point type config.json's {@code torch_dtype} names, or empty for a name it does not know. */
  public static java.util.Optional<TensorDType> ofTorchName(String name) {
    for (TensorDType t : List.of(F32, F16, BF16, F64)) {
      if (t.torchName().equals(name)) {
        return java.util.Optional.of(t);
      }
    }
    return java.util.Optional.empty();
  }

  /** The DJL type the raw bytes can be created as; float32 for bf16 (after widening). */
  DataType readAs() {
    return djl == null ? DataType.FLOAT32 : djl;
  }

  /** Parses a header's {@code dtype}; null when asyncrl does not read that type. */
  static TensorDType parse(String name) {
    for (TensorDType t : values()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The safetensors type for storing a DJL array's type. */
  static TensorDType of(DataType type) {
    for (TensorDType t : values()) {
      if (t.djl == type) {
        return t;
      }
    }
    throw new IllegalArgumentException("cannot store " + type + " in safetensors");
  }
}
