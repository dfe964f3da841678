package dev.asyncrl.datastore;

import static org.junit.jupiter.api.Assertions.*;

import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

public class TrajectoryCodecTest {

  /** A group of {@code k} responses of {@code tokens} tokens with random contents, sampled across versions 7..9. */
  public static TrajectoryGroup randomGroup(long id, int k, int tokens, long seed) {
    return randomGroup(id, k, tokens, seed, true);
  }

  /** As above; without {@code versionsChange} every token has version 7. */
  public static TrajectoryGroup randomGroup(long id, int k, int tokens, long seed, boolean versionsChange) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Trajectory> ts = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      int[] prompt = rng.ints(4 + i % 3, 0, 50_000).toArray();
      int len = tokens - i % 2; // responses of different lengths
      int[] response = rng.ints(len, 0, 50_000).toArray();
      float[] logProbs = new float[len];
      byte[] mask = new byte[len];
      for (int t = 0; t < len; t++) {
        logProbs[t] = (float) -rng.nextDouble(0, 12);
        mask[t] = (byte) (rng.nextInt(5) == 0 ? 0 : 1);
      }
      long[] versions = new long[len];
      for (int t = 0; t < len; t++) {
        versions[t] = !versionsChange ? 7 : t == 0 ? 7 : t == len - 1 ? 9 : 7 + rng.nextInt(3); // new weights mid-response
      }
      ts.add(Trajectory.withTokenVersions(prompt, response, logProbs, mask, rng.nextDouble(-1, 1),
          rng.nextLong(1, 1L << 40), versions));
    }
    return new TrajectoryGroup(id, "réverse", ts, 3, TrajectoryGroup.nowMicros());
  }

  @Test
  void roundTripsEveryField() {
    TrajectoryGroup g = randomGroup(1L << 41 | 17, 8, 64, 5);
    TrajectoryGroup back = TrajectoryCodec.decode(TrajectoryCodec.encode(g));
    assertEquals(g, back);
    assertEquals(g.createdAtMicros(), back.createdAtMicros());
    assertEquals(g.workerId(), back.workerId());
    assertEquals(g.taskName(), back.taskName());
    assertEquals(g.trajectories().get(3).endVersion(), back.trajectories().get(3).endVersion());
  }

  @Test
  void roundTripsEmptyResponsesAndExtremeValues() {
    Trajectory empty = new Trajectory(new int[0], new int[0], new float[0], new byte[0], 0, 0, 0, 0);
    Trajectory extreme = new Trajectory(new int[] {Integer.MAX_VALUE}, new int[] {-1}, new float[] {Float.NEGATIVE_INFINITY},
        new byte[] {1}, -Double.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, new long[] {Long.MAX_VALUE});
    TrajectoryGroup g = new TrajectoryGroup(-5, "", List.of(empty, extreme), -1, Long.MIN_VALUE);
    assertEquals(g, TrajectoryCodec.decode(TrajectoryCodec.encode(g)));
  }

  @Test
  void rejectsAForeignMessageNamingWhatItSaw() {
    byte[] json = "{\"id\": 3, \"reward\": 1}".getBytes(StandardCharsets.UTF_8);
    TrajectoryFormatException e = assertThrows(TrajectoryFormatException.class, () -> TrajectoryCodec.decode(json));
    assertTrue(e.getMessage().startsWith("not an asyncrl trajectory record: starts with 0x7b22696422"), e.getMessage());
    assertTrue(assertThrows(TrajectoryFormatException.class, () -> TrajectoryCodec.decode(new byte[] {1}))
        .getMessage().contains("shorter than the 4-byte magic"));
    assertTrue(assertThrows(TrajectoryFormatException.class, () -> TrajectoryCodec.decode(null))
        .getMessage().contains("no value"));
  }

  @Test
  void rejectsEverySingleFlippedBitAsCorruptOrForeign() {
    byte[] good = TrajectoryCodec.encode(randomGroup(9, 2, 5, 1));
    for (int i = 0; i < good.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] bad = good.clone();
        bad[i] ^= (byte) (1 << bit);
        String message = assertThrows(TrajectoryFormatException.class, () -> TrajectoryCodec.decode(bad),
            "byte " + i + " bit " + bit).getMessage();
        assertTrue(message.startsWith("not an asyncrl") || message.contains("corrupt") || message.contains("format version"),
            message);
      }
    }
  }

  @Test
  void rejectsTruncationAndANewerFormatVersion() {
    byte[] good = TrajectoryCodec.encode(randomGroup(9, 2, 5, 1));
    for (int len : new int[] {4, 20, good.length / 2, good.length - 1}) {
      assertThrows(TrajectoryFormatException.class, () -> TrajectoryCodec.decode(Arrays.copyOf(good, len)), "length " + len);
    }
    byte[] newer = good.clone();
    newer[4] = 3;
    String message = assertThrows(TrajectoryFormatException.class, () -> TrajectoryCodec.decode(newer)).getMessage();
    assertEquals("trajectory record has format version 3; this build reads versions 1 to 2 (written by a newer asyncrl?)",
        message);
  }

  @Test
  void perTokenVersionsRoundTripAndAVersionOneRecordStillDecodes() {
    TrajectoryGroup mixed = randomGroup(4, 3, 6, 8);
    Trajectory t = TrajectoryCodec.decode(TrajectoryCodec.encode(mixed)).trajectories().get(0);
    assertArrayEquals(mixed.trajectories().get(0).tokenVersions(), t.tokenVersions());
    assertEquals(7, t.startVersion());
    assertEquals(9, t.endVersion());

    Trajectory one = new Trajectory(new int[] {1, 2}, new int[] {3, 4, 5}, new float[] {-1f, -2f, -3f},
        new byte[] {1, 1, 0}, 0.5, 12, 12, 99);
    TrajectoryGroup old = new TrajectoryGroup(77, "reverse", List.of(one), 2, 123);
    TrajectoryGroup back = TrajectoryCodec.decode(versionOne(old));
    assertEquals(old, back);
    assertArrayEquals(new long[] {12, 12, 12}, back.trajectories().get(0).tokenVersions());
  }

  /** The documented version-1 layout, written independently of the codec. */
  static byte[] versionOne(TrajectoryGroup g) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4096);
    byte[] task = g.taskName().getBytes(StandardCharsets.UTF_8);
    b.put(new byte[] {'A', 'R', 'L', 'T', 1, 0}).putLong(g.groupId()).putInt(g.workerId()).putLong(g.createdAtMicros())
        .putShort((short) task.length).put(task).putInt(g.trajectories().size());
    for (Trajectory t : g.trajectories()) {
      b.putDouble(t.reward()).putLong(t.startVersion()).putLong(t.endVersion()).putLong(t.generationNanos());
      b.putInt(t.promptTokens().length);
      for (int x : t.promptTokens()) {
        b.putInt(x);
      }
      b.putInt(t.responseTokens().length);
      for (int x : t.responseTokens()) {
        b.putInt(x);
      }
      for (float x : t.behaviourLogProbs()) {
        b.putFloat(x);
      }
      b.put(t.lossMask());
    }
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return Arrays.copyOf(b.array(), b.position());
  }

  @Test
  void aGroupOfEightResponsesOfSixtyFourTokensIsAboutFiveKilobytes() {
    int size = TrajectoryCodec.encode(randomGroup(1, 8, 64, 2, false)).length;
    assertTrue(size > 4_000 && size < 6_000, "size " + size);
    int partial = TrajectoryCodec.encode(randomGroup(1, 8, 64, 2, true)).length;
    assertEquals(size + 4 * (8 * 64 - 4), partial, "4 bytes per token when versions change mid-response");
  }
}
