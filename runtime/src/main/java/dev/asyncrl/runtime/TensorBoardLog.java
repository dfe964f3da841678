package dev.asyncrl.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/**
 * TensorBoard event files in {@code <run>/tensorboard/}: every step metric as a scalar under its own name
 * ({@code rollout/reward_mean}), so {@code tensorboard --logdir runs/} shows the runs side by side. The events
 * are TensorFlow's own protobuf messages (TensorFlow Java's generated classes) in TFRecord framing: length,
 * masked CRC-32C of the length, the message, masked CRC-32C of the message. A resumed run starts a new file
 * with a session-start event at its step, which tells TensorBoard to drop the later steps of the earlier file
 * (they are trained again).
 */
final class TensorBoardLog implements AutoCloseable {

  private final OutputStream out;

  /** @param resumedStep the step the run resumes after (0 for a fresh run) */
  TensorBoardLog(Path dir, int resumedStep) {
    try {
      Files.createDirectories(dir);
      String host = HostName.get();
      // TensorBoard reads a folder's files in name order: the second they were opened comes first.
      String name = "events.out.tfevents." + System.currentTimeMillis() / 1000 + "." + host + "."
          + ProcessHandle.current().pid();
      Path file = dir.resolve(name);
      for (int n = 1; Files.exists(file); n++) {
        file = dir.resolve(name + "." + n);
      }
      out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      write(Event.newBuilder().setWallTime(now()).setFileVersion("brain.Event:2").build());
      if (resumedStep > 0) {
        write(Event.newBuilder().setWallTime(now()).setStep(resumedStep)
            .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START)).build());
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write TensorBoard events to " + dir + ": " + e.getMessage(), e);
    }
  }

  /** One event with every finite metric of the step. */
  void record(int step, Map<String, Double> metrics) {
    Summary.Builder summary = Summary.newBuilder();
    metrics.forEach((tag, value) -> {
      if (Double.isFinite(value)) {
        summary.addValue(Summary.Value.newBuilder().setTag(tag).setSimpleValue(value.floatValue()));
      }
    });
    try {
      write(Event.newBuilder().setWallTime(now()).setStep(step).setSummary(summary).build());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a TensorBoard event: " + e.getMessage(), e);
    }
  }

  private void write(Event event) throws IOException {
    byte[] data = event.toByteArray();
    byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    out.write(length);
    out.write(le32(maskedCrc(length)));
    out.write(data);
    out.write(le32(maskedCrc(data)));
  }

  /** TFRecord's masked CRC-32C: rotated right by 15 bits plus a constant, so CRCs of CRCs stay well spread. */
  static int maskedCrc(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }

  private static byte[] le32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  private static double now() {
    return System.currentTimeMillis() / 1000.0;
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
