package dev.asyncrl.runtime.weights;

import dev.asyncrl.core.Sha256;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.runtime.weights.KafkaWeightAnnouncer;
import dev.asyncrl.runtime.weights.WeightAnnouncement;
import dev.asyncrl.model.PolicyCheckpoint;
import dev.asyncrl.model.TransformerPolicy;
import dev.asyncrl.trainer.PolicyPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.stream.Stream;

/**
 * The trainer's {@link PolicyPublisher} across processes: each version becomes a safetensors file in the
 * weights folder and an announcement (version, path, SHA-256) on the compacted weights topic. Only the
 * newest {@code keep} files are kept; older ones are deleted after the announcement that replaces them.
 */
public final class CheckpointPublisher implements PolicyPublisher {

  private final KafkaWeightAnnouncer announcer;
  private final Path dir;
  private final int keep;
  private final TrajectoryStore store;
  private final long epoch = System.currentTimeMillis();
  private final Deque<Path> files = new ArrayDeque<>();
  private WeightAnnouncement last;

  /**
   * @param store the trainer's store, read on the trainer thread for the log base that workers count from
   */
  public CheckpointPublisher(KafkaWeightAnnouncer announcer, Path dir, int keep, TrajectoryStore store) {
    this.announcer = announcer;
    this.dir = dir.toAbsolutePath();
    this.keep = keep;
    this.store = store;
    try {
      Files.createDirectories(this.dir);
      try (Stream<Path> old = Files.list(this.dir)) { // a previous trainer process's versions are superseded
        old.filter(p -> p.getFileName().toString().endsWith(".safetensors")).forEach(p -> p.toFile().delete());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the weights folder " + this.dir, e);
    }
  }

  @Override
  public void publish(long version, TransformerPolicy policy) {
    Path file = dir.resolve(String.format("policy-v%08d-%d.safetensors", version, epoch));
    MessageDigest sha256 = Sha256.newDigest();
    PolicyCheckpoint.save(policy, file, sha256); // hashed as written: the file is not read back
    long freed = last == null ? 0 : last.freed();
    last = new WeightAnnouncement(epoch, version, file.toString(), Sha256.hex(sha256), size(file), freed,
        store.position().base(), false);
    announcer.announce(last);
    files.addLast(file);
    while (files.size() > keep) {
      files.removeFirst().toFile().delete();
    }
  }

  @Override
  public void freed(long total) {
    if (last != null && total > last.freed()) {
      last = last.withFreed(total);
      announcer.announce(last);
    }
  }

  @Override
  public void finished() {
    if (last != null) {
      announcer.announce(last.withDone(true));
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
