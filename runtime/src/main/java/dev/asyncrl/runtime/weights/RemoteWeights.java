package dev.asyncrl.runtime.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.asyncrl.core.Sha256;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.runtime.weights.KafkaWeightFollower;
import dev.asyncrl.runtime.weights.WeightAnnouncement;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.hf.SafetensorsFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * A worker process's link to the trainer, on its own thread: follows the announcements, loads each new
 * version's file (checksum verified) into the local {@link WeightChannel} for the rollout workers, and keeps
 * the local {@link StalenessGate} in step with the whole run (version, freed slots, groups appended by every
 * worker), so admission control holds across processes.
 */
public final class RemoteWeights implements Runnable {

  private static final Duration POLL = Duration.ofMillis(20);

  private final KafkaWeightFollower follower;
  private final WeightChannel<PolicyWeights> channel;
  private final StalenessGate gate;
  private final Device device;
  private final Consumer<String> log;
  private volatile boolean done;
  private volatile boolean stopping;
  private volatile Throwable failure;
  private volatile WeightAnnouncement loaded;
  private volatile WeightAnnouncement latest;

  public RemoteWeights(KafkaWeightFollower follower, WeightChannel<PolicyWeights> channel, StalenessGate gate, Device device,
      Consumer<String> log) {
    this.follower = follower;
    this.channel = channel;
    this.gate = gate;
    this.device = device;
    this.log = log;
  }

  @Override
  public void run() {
    ComputeThread.inferenceOnly();
    try {
      while (!stopping && !done) {
        List<WeightAnnouncement> news = follower.poll(POLL);
        if (!news.isEmpty()) {
          latest = news.get(news.size() - 1);
          if (loaded == null || latest.epoch() != loaded.epoch() || latest.version() != loaded.version()) {
            load(latest);
          }
          done = latest.done();
        }
        refresh();
      }
    } catch (Throwable e) {
      failure = e;
    }
  }

  private void load(WeightAnnouncement a) {
    Path file = Path.of(a.path());
    String sha;
    try {
      sha = Sha256.of(file); // streamed: a policy file may be larger than one Java array
    } catch (UncheckedIOException e) {
      log.accept("policy version " + a.version() + " is no longer at " + a.path() + " (pruned); waiting for the next");
      return;
    }
    if (!sha.equals(a.sha256())) {
      log.accept("policy version " + a.version() + " at " + a.path() + " has SHA-256 " + sha + ", announced "
          + a.sha256() + "; not loaded, waiting for the next");
      return;
    }
    if (!Files.isRegularFile(file)) {
      log.accept("policy version " + a.version() + " is no longer at " + a.path() + " (pruned); waiting for the next");
      return;
    }
    NDManager owner = NDManager.newBaseManager(device);
    PolicyWeights weights;
    try (SafetensorsFile f = SafetensorsFile.open(file)) {
      weights = new PolicyWeights(f.readAll(owner), owner);
    } catch (RuntimeException e) {
      owner.close(); // nothing else will free it
      throw e;
    }
    if (loaded != null && (a.epoch() != loaded.epoch() || a.version() <= loaded.version())) {
      log.accept("trainer restarted: now at policy version " + a.version());
      channel.restart(a.version(), weights);
    } else {
      channel.publish(a.version(), weights);
    }
    loaded = a;
  }

  /**
   * Brings the gate up to date with the run (thread-safe; also called by workers before each admission).
   * Admission follows the version these workers actually hold, not merely the newest announced: a version
   * that could not be loaded must not open slots for groups sampled with older weights.
   */
  public void refresh() {
    WeightAnnouncement held = loaded;
    WeightAnnouncement news = latest;
    if (held != null) {
      gate.observe(held.version(), news.freed(), follower.logEnd() - news.logBase());
    }
  }

  public boolean done() {
    return done;
  }

  public Throwable failure() {
    return failure;
  }

  public void stop() {
    stopping = true;
  }
}
