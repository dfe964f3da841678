package dev.asyncrl.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.trainer.StepReport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.Summary;

/** The event files of a run, read back record by record with their checksums, hold every step's metrics. */
class TensorBoardLogTest {

  @TempDir
  Path tmp;

  /** Every record of an event file, each checksum verified (TFRecord: length, crc, data, crc). */
  static List<Event> read(Path file) throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    List<Event> events = new ArrayList<>();
    while (b.hasRemaining()) {
      byte[] length = new byte[8];
      b.get(length);
      assertEquals(TensorBoardLog.maskedCrc(length), b.getInt(), "length checksum");
      byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
      b.get(data);
      assertEquals(TensorBoardLog.maskedCrc(data), b.getInt(), "data checksum");
      events.add(Event.parseFrom(data));
    }
    return events;
  }

  @Test
  void maskedCrcIsTfRecords() {
    // CRC-32C of "123456789" is 0xE3069283 (its standard check value); masked: rotated right 15, plus 0xa282ead8.
    assertEquals(Integer.rotateRight(0xE3069283, 15) + 0xa282ead8, TensorBoardLog.maskedCrc("123456789".getBytes()));
  }

  @Test
  void aRunWritesEveryStepMetricAndAResumeMarksWhereItRestarted() throws Exception {
    JobConfig job = JobRunnerTest.job("trainer.steps=3", "trainer.checkpoint_every=2");
    Path runDir = Files.createTempDirectory(tmp, "run");
    List<StepReport> reports = JobRunnerTest.run(job, new JobRunnerTest.RecordingStore(job.get(JobSchema.STORE_CAPACITY)), runDir);
    List<Path> files;
    try (Stream<Path> s = Files.list(runDir.resolve("tensorboard"))) {
      files = s.sorted().toList();
    }
    assertEquals(1, files.size());
    List<Event> events = read(files.get(0));
    assertEquals("brain.Event:2", events.get(0).getFileVersion());
    assertEquals(4, events.size());
    for (int i = 0; i < 3; i++) {
      Event e = events.get(i + 1);
      StepReport r = reports.get(i);
      assertEquals(r.step(), e.getStep());
      double reward = e.getSummary().getValueList().stream().filter(v -> v.getTag().equals("rollout/reward_mean"))
          .mapToDouble(Summary.Value::getSimpleValue).findFirst().orElseThrow();
      assertEquals(r.metrics().get("rollout/reward_mean").floatValue(), (float) reward);
      assertTrue(e.getSummary().getValueCount() > 20, "every metric: " + e.getSummary().getValueCount());
    }
    // Trained on to step 5 from the step-2 checkpoint: a second file that starts with a session start at step 2.
    JobConfig longer = JobRunnerTest.job("trainer.steps=5", "trainer.checkpoint_every=2");
    Files.delete(runDir.resolve("checkpoints").resolve("step-3").resolve("manifest.json")); // step 3 is not intact
    JobRunnerTest.run(longer, new JobRunnerTest.RecordingStore(longer.get(JobSchema.STORE_CAPACITY)), runDir);
    try (Stream<Path> s = Files.list(runDir.resolve("tensorboard"))) {
      files = s.sorted().toList();
    }
    assertEquals(2, files.size());
    List<Event> resumed = read(files.get(1));
    assertEquals(SessionLog.SessionStatus.START, resumed.get(1).getSessionLog().getStatus());
    assertEquals(2, resumed.get(1).getStep());
    assertEquals(Arrays.asList(3L, 4L, 5L), resumed.subList(2, 5).stream().map(Event::getStep).toList());
  }
}
