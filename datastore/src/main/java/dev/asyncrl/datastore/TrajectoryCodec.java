package dev.asyncrl.datastore;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * The one binary encoding of a {@link TrajectoryGroup}, used by every store that leaves the process. Format
 * version 2, all integers big-endian (documented in {@code docs/trajectory-format.md}); version 1 records
 * (no per-token versions) still decode:
 *
 * <pre>
 *   magic            4 bytes  "ARLT"
 *   format version   u8       2
 *   flags            u8       0 (reserved)
 *   group id         i64
 *   worker id        i32
 *   created at       i64      µs since the epoch
 *   task name        u16 length + UTF-8 bytes
 *   trajectories     i32 count K, then K times:
 *     reward           f64
 *     start version    i64
 *     end version      i64
 *     generation time  i64      ns
 *     prompt           i32 length P, then P × i32 token ids
 *     response         i32 length R, then R × i32 token ids, R × f32 behaviour log-probs, R × u8 loss mask
 *     token versions   u8 0 = every token has the start version; 1 = R × u32: each token's version − start
 *                      (version 2 only)
 *   checksum         u32      CRC-32C of every byte before it
 * </pre>
 *
 * Decoding checks the magic (a foreign message), the version (a newer writer), the checksum (a corrupt
 * message) and every length against the bytes left, and fails with a {@link TrajectoryFormatException}
 * that says which.
 */
public final class TrajectoryCodec {
  private TrajectoryCodec() {}

  public static final int FORMAT_VERSION = 2;
  private static final byte[] MAGIC = {'A', 'R', 'L', 'T'};
  private static final int FIXED_HEADER = 4 + 1 + 1 + 8 + 4 + 8 + 2 + 4;
  private static final int FIXED_PER_TRAJECTORY = 8 + 8 + 8 + 8 + 4 + 4; // + 1 flag byte in version 2
  private static final int CHECKSUM = 4;

  public static byte[] encode(TrajectoryGroup group) {
    byte[] task = group.taskName().getBytes(StandardCharsets.UTF_8);
    if (task.length > 0xFFFF) {
      throw new IllegalArgumentException("task name longer than 65535 bytes");
    }
    int size = FIXED_HEADER + task.length + CHECKSUM;
    for (Trajectory t : group.trajectories()) {
      size += FIXED_PER_TRAJECTORY + 4 * t.promptTokens().length + 9 * t.responseTokens().length + 1
          + (t.startVersion() == t.endVersion() ? 0 : 4 * t.responseTokens().length);
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put(MAGIC).put((byte) FORMAT_VERSION).put((byte) 0);
    b.putLong(group.groupId()).putInt(group.workerId()).putLong(group.createdAtMicros());
    b.putShort((short) task.length).put(task);
    b.putInt(group.trajectories().size());
    for (Trajectory t : group.trajectories()) {
      b.putDouble(t.reward()).putLong(t.startVersion()).putLong(t.endVersion()).putLong(t.generationNanos());
      b.putInt(t.promptTokens().length);
      putInts(b, t.promptTokens());
      b.putInt(t.responseTokens().length);
      putInts(b, t.responseTokens());
      b.asFloatBuffer().put(t.behaviourLogProbs());
      b.position(b.position() + 4 * t.behaviourLogProbs().length);
      b.put(t.lossMask());
      if (t.startVersion() == t.endVersion()) {
        b.put((byte) 0); // every token has the start version
      } else {
        b.put((byte) 1);
        for (long v : t.tokenVersions()) {
          b.putInt(Math.toIntExact(v - t.startVersion()));
        }
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  /** Decodes one record; throws {@link TrajectoryFormatException} naming what is wrong with it. */
  public static TrajectoryGroup decode(byte[] bytes) {
    if (bytes == null || bytes.length < MAGIC.length) {
      throw new TrajectoryFormatException("not an asyncrl trajectory record: "
          + (bytes == null ? "no value" : bytes.length + " bytes") + ", shorter than the 4-byte magic \"ARLT\"");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new TrajectoryFormatException("not an asyncrl trajectory record: starts with " + preview(bytes)
            + ", expected the magic \"ARLT\"");
      }
    }
    if (bytes.length < FIXED_HEADER + CHECKSUM) {
      throw new TrajectoryFormatException("trajectory record truncated: " + bytes.length + " bytes, a header needs "
          + (FIXED_HEADER + CHECKSUM));
    }
    int version = bytes[4] & 0xFF;
    if (version < 1 || version > FORMAT_VERSION) {
      throw new TrajectoryFormatException("trajectory record has format version " + version + "; this build reads versions "
          + "1 to " + FORMAT_VERSION + (version > FORMAT_VERSION ? " (written by a newer asyncrl?)" : ""));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int stored = b.getInt(bytes.length - CHECKSUM);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - CHECKSUM);
    if (stored != (int) crc.getValue()) {
      throw new TrajectoryFormatException(String.format(Locale.ROOT,
          "trajectory record is corrupt: CRC-32C %08x does not match the stored %08x (%d bytes)", (int) crc.getValue(),
          stored, bytes.length));
    }
    b.limit(bytes.length - CHECKSUM).position(6);
    try {
      long groupId = b.getLong();
      int workerId = b.getInt();
      long createdAt = b.getLong();
      byte[] task = new byte[b.getShort() & 0xFFFF];
      b.get(task);
      int count = length(b, "trajectory count", FIXED_PER_TRAJECTORY);
      List<Trajectory> trajectories = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        double reward = b.getDouble();
        long start = b.getLong();
        long end = b.getLong();
        long nanos = b.getLong();
        int[] prompt = getInts(b, length(b, "prompt length", 4));
        int r = length(b, "response length", 9);
        int[] response = getInts(b, r);
        float[] logProbs = new float[r];
        b.asFloatBuffer().get(logProbs);
        b.position(b.position() + 4 * r);
        byte[] mask = new byte[r];
        b.get(mask);
        long[] versions = new long[r];
        java.util.Arrays.fill(versions, start);
        if (version >= 2 && b.get() != 0) {
          for (int t = 0; t < r; t++) {
            versions[t] = start + b.getInt();
          }
        }
        trajectories.add(new Trajectory(prompt, response, logProbs, mask, reward, start, end, nanos, versions));
      }
      if (b.hasRemaining()) {
        throw new TrajectoryFormatException("trajectory record has " + b.remaining() + " unexpected bytes after its last trajectory");
      }
      return new TrajectoryGroup(groupId, new String(task, StandardCharsets.UTF_8), trajectories, workerId, createdAt);
    } catch (BufferUnderflowException e) {
      throw new TrajectoryFormatException("trajectory record truncated at byte " + b.position() + " of " + bytes.length);
    } catch (IllegalArgumentException e) {
      if (e instanceof TrajectoryFormatException) {
        throw e;
      }
      throw new TrajectoryFormatException("trajectory record is invalid: " + e.getMessage());
    }
  }

  private static void putInts(ByteBuffer b, int[] values) {
    b.asIntBuffer().put(values);
    b.position(b.position() + 4 * values.length);
  }

  private static int[] getInts(ByteBuffer b, int n) {
    int[] values = new int[n];
    b.asIntBuffer().get(values);
    b.position(b.position() + 4 * n);
    return values;
  }

  /** Reads a count whose elements take at least {@code bytesEach}, checking it fits in what is left. */
  private static int length(ByteBuffer b, String what, int bytesEach) {
    int n = b.getInt();
    if (n < 0 || (long) n * bytesEach > b.remaining()) {
      throw new TrajectoryFormatException("trajectory record has " + what + " " + n + " at byte " + (b.position() - 4)
          + " but only " + b.remaining() + " bytes follow");
    }
    return n;
  }

  private static String preview(byte[] bytes) {
    StringBuilder s = new StringBuilder("0x");
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      s.append(String.format(Locale.ROOT, "%02x", bytes[i]));
    }
    return s.toString();
  }
}
