package dev.asyncrl.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asyncrl.core.JsonLines;
import dev.asyncrl.trainer.StepReport;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code groups.jsonl} in the run folder: per step, the group ids trained, dropped as stale and filtered. With
 * the checkpoint-bound store position this is the exactly-once record of a run.
 */
final class GroupLedger implements AutoCloseable {

  /** The sequence part of a group id (see {@code RolloutWorker.groupId}): its low 40 bits. */
  private static final long SEQUENCE_MASK = (1L << 40) - 1;
  private static final String[] OUTCOMES = {"trained", "dropped", "filtered"};

  private final JsonLines.Appender out;

  GroupLedger(Path file) {
    out = new JsonLines.Appender(file);
  }

  void record(StepReport r) {
    ObjectNode line = JsonNodeFactory.instance.objectNode();
    line.put("step", r.step());
    line.put("version", r.version());
    r.trainedGroups().forEach(line.putArray("trained")::add);
    r.droppedGroups().forEach(line.putArray("dropped")::add);
    r.filteredGroups().forEach(line.putArray("filtered")::add);
    out.append(line);
  }

  /**
   * One more than the largest group sequence number the ledger records (0 for none): where in-process workers
   * of a resumed run start, so that no group id repeats one already trained, dropped or filtered.
   */
  static long nextSequence(Path file) {
    if (!Files.exists(file)) {
      return 0;
    }
    long max = -1;
    for (JsonLines.Line line : JsonLines.read(file)) {
      for (String outcome : OUTCOMES) {
        for (JsonNode id : line.value().path(outcome)) {
          max = Math.max(max, id.asLong() & SEQUENCE_MASK);
        }
      }
    }
    return max + 1;
  }

  @Override
  public void close() {
    out.close();
  }
}
