package dev.asyncrl.bench;

import dev.asyncrl.core.FileTrees;
import dev.asyncrl.runtime.weights.CheckpointPublisher;
import dev.asyncrl.runtime.weights.RemoteWeights;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.model.GptShape;
import dev.asyncrl.datastore.InMemoryTrajectoryStore;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryCodec;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import dev.asyncrl.datastore.kafka.KafkaSettings;
import dev.asyncrl.datastore.kafka.KafkaTrajectoryStore;
import dev.asyncrl.runtime.weights.KafkaWeightAnnouncer;
import dev.asyncrl.runtime.weights.KafkaWeightFollower;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The Kafka benchmarks of {@code asyncrl bench}: trajectory-group throughput and end-to-end latency through
 * the log, and the time for a new policy version to reach every worker. They run against a broker given
 * with {@code --bootstrap}, or start a single-node broker in this JVM (in a temporary folder) as
 * {@code launch --embedded-kafka} does. Producer and consumer are the real {@link KafkaTrajectoryStore}s
 * that workers and trainer use; each measurement gets its own topic.
 */
final class KafkaBench implements AutoCloseable {

  /** The group shape: 8 responses of 64 tokens (prompt 16). */
  static final int RESPONSES = 8;
  static final int TOKENS = 64;
  static final int PROMPT = 16;

  private final String bootstrap;
  private final EmbeddedKafkaBroker broker;
  private final Path scratch;
  private int topics;

  private KafkaBench(String bootstrap, EmbeddedKafkaBroker broker, Path scratch) {
    this.bootstrap = bootstrap;
    this.broker = broker;
    this.scratch = scratch;
  }

  /** Uses the broker at {@code bootstrap}, or starts one here when it is null. */
  static KafkaBench open(String bootstrap) throws IOException {
    Path scratch = Files.createTempDirectory("asyncrl-kafka-bench");
    if (bootstrap != null) {
      return new KafkaBench(bootstrap, null, scratch);
    }
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(scratch.resolve("broker"));
    return new KafkaBench(broker.bootstrap(), broker, scratch);
  }

  String where() {
    return broker == null ? "broker " + bootstrap : "embedded single-node broker";
  }

  private KafkaSettings freshTopic(String purpose) {
    KafkaSettings s = new KafkaSettings(bootstrap, "asyncrl.bench." + purpose + "." + System.currentTimeMillis() + "."
        + topics++, 1, (short) 1, "lz4", Map.of());
    s.ensureTopics();
    return s;
  }

  /** A factory of groups with the shape; random tokens, so compression gains only what real data would. */
  static LongFunction<TrajectoryGroup> groups(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<List<Trajectory>> shapes = new ArrayList<>();
    for (int s = 0; s < 16; s++) {
      int[] prompt = rng.ints(PROMPT, 0, 32_000).toArray();
      List<Trajectory> ts = new ArrayList<>();
      for (int i = 0; i < RESPONSES; i++) {
        float[] lp = new float[TOKENS];
        for (int t = 0; t < TOKENS; t++) {
          lp[t] = (float) -rng.nextDouble(0, 5);
        }
        byte[] mask = new byte[TOKENS];
        Arrays.fill(mask, (byte) 1);
        ts.add(new Trajectory(prompt, rng.ints(TOKENS, 0, 32_000).toArray(), lp, mask, rng.nextDouble(), 3, 3, 0));
      }
      shapes.add(ts);
    }
    return id -> new TrajectoryGroup(id, "bench", shapes.get((int) Math.floorMod(id, (long) shapes.size())), 0,
        TrajectoryGroup.nowMicros());
  }

  /** Result of the produce-and-consume run. */
  record Throughput(long groups, double seconds, int bytesPerGroup) {
    double groupsPerSecond() {
      return groups / seconds;
    }
  }

  /**
   * One producer thread appends {@code n} groups as fast as it can while the consumer reads them; the clock
   * runs from the first append to the last group decoded by the consumer.
   */
  Throughput throughput(int n) throws InterruptedException {
    KafkaSettings settings = freshTopic("throughput");
    LongFunction<TrajectoryGroup> make = groups(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (KafkaTrajectoryStore producer = new KafkaTrajectoryStore(settings);
         KafkaTrajectoryStore consumer = new KafkaTrajectoryStore(settings)) {
      consumer.position(); // connect and assign before the clock starts
      producer.append(make.apply(-1));
      producer.flush();
      consumer.poll(Duration.ofSeconds(30));
      Thread writer = new Thread(() -> {
        try {
          for (long id = 0; id < n; id++) {
            producer.append(make.apply(id));
          }
          producer.flush();
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "bench-producer");
      long start = System.nanoTime();
      writer.start();
      long read = 0;
      long expect = 0;
      while (read < n) {
        TrajectoryGroup g = consumer.poll(Duration.ofSeconds(30));
        if (g == null) {
          throw new IllegalStateException("consumer saw nothing for 30 s after " + read + " groups", failure.get());
        }
        if (g.groupId() != expect++) {
          throw new IllegalStateException("group " + g.groupId() + " read where " + (expect - 1) + " was expected");
        }
        read++;
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      writer.join();
      if (failure.get() != null) {
        throw new IllegalStateException("producer failed", failure.get());
      }
      return new Throughput(n, seconds, TrajectoryCodec.encode(make.apply(0)).length);
    }
  }

  /**
   * A producer paced at {@code rate} groups/s for {@code seconds}; each group is stamped when it is made and
   * appended, and its latency is the time until the consumer has decoded it. Returns latencies in ms.
   */
  double[] latency(int rate, int seconds) throws InterruptedException {
    KafkaSettings settings = freshTopic("latency");
    LongFunction<TrajectoryGroup> make = groups(2);
    int n = rate * seconds;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try (KafkaTrajectoryStore producer = new KafkaTrajectoryStore(settings);
         KafkaTrajectoryStore consumer = new KafkaTrajectoryStore(settings)) {
      consumer.position();
      producer.append(make.apply(-1));
      producer.flush();
      consumer.poll(Duration.ofSeconds(30));
      long periodNanos = 1_000_000_000L / rate;
      Thread writer = new Thread(() -> {
        try {
          long due = System.nanoTime();
          for (long id = 0; id < n; id++) {
            LockSupport.parkNanos(due - System.nanoTime());
            producer.append(make.apply(id));
            due += periodNanos;
          }
          producer.flush();
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "bench-producer");
      writer.start();
      double[] ms = new double[n];
      for (int i = 0; i < n; i++) {
        TrajectoryGroup g = consumer.poll(Duration.ofSeconds(30));
        if (g == null) {
          throw new IllegalStateException("consumer saw nothing for 30 s after " + i + " groups", failure.get());
        }
        ms[i] = (TrajectoryGroup.nowMicros() - g.createdAtMicros()) / 1000.0;
      }
      writer.join();
      return ms;
    }
  }

  /**
   * The cross-process weight channel end to end: the trainer side ({@link CheckpointPublisher}) writes the
   * safetensors file and announces it; {@code workers} followers ({@link RemoteWeights}, each on its own
   * thread with its own Kafka consumer, as in separate worker processes) read, verify and decode it. The
   * time runs from the start of {@code publish} until the last worker holds the version. Returns ms per
   * version.
   */
  double[] weightBroadcast(GptShape model, int vocab, int workers, int versions) throws InterruptedException {
    KafkaSettings settings = freshTopic("weights");
    List<RemoteWeights> remotes = new ArrayList<>();
    List<WeightChannel<PolicyWeights>> channels = new ArrayList<>();
    List<KafkaWeightFollower> followers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try (TransformerPolicy policy = TransformerPolicy.initialize(model, vocab, 1, Device.cpu(), DataType.FLOAT32);
         InMemoryTrajectoryStore log = new InMemoryTrajectoryStore(1);
         KafkaWeightAnnouncer announcer = new KafkaWeightAnnouncer(settings)) {
      CheckpointPublisher publisher = new CheckpointPublisher(announcer, scratch.resolve("weights"), 4, log);
      for (int w = 0; w < workers; w++) {
        KafkaWeightFollower follower = new KafkaWeightFollower(settings);
        WeightChannel<PolicyWeights> channel = new WeightChannel<>(2, PolicyWeights::close);
        RemoteWeights remote = new RemoteWeights(follower, channel, new StalenessGate(1, 1), Device.cpu(), line -> {});
        followers.add(follower);
        channels.add(channel);
        remotes.add(remote);
        Thread t = new Thread(remote, "bench-worker-" + w);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      publisher.publish(0, policy);
      awaitAll(channels, 0, remotes);
      double[] ms = new double[versions];
      for (int v = 1; v <= versions; v++) {
        long start = System.nanoTime();
        publisher.publish(v, policy);
        awaitAll(channels, v, remotes);
        ms[v - 1] = (System.nanoTime() - start) / 1e6;
      }
      return ms;
    } finally {
      remotes.forEach(RemoteWeights::stop);
      for (Thread t : threads) {
        t.join(10_000);
      }
      followers.forEach(KafkaWeightFollower::close);
      channels.forEach(WeightChannel::close);
    }
  }

  private static void awaitAll(List<WeightChannel<PolicyWeights>> channels, long version, List<RemoteWeights> remotes) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (int i = 0; i < channels.size(); i++) {
      while (channels.get(i).latestVersion() < version) {
        if (remotes.get(i).failure() != null) {
          throw new IllegalStateException("worker " + i + " failed", remotes.get(i).failure());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("worker " + i + " did not receive version " + version + " within 60 s");
        }
        LockSupport.parkNanos(100_000);
      }
    }
  }

  /** The {@code q}-quantile (0..1) of {@code x}, nearest rank. */
  static double quantile(double[] x, double q) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
  }

  @Override
  public void close() throws IOException {
    if (broker != null) {
      broker.stop();
    }
    FileTrees.delete(scratch);
  }

  static String describe(Throughput t) {
    return String.format(Locale.ROOT, "%,d groups in %.2f s = %,.0f groups/s (%,.1f MB/s of %d-byte records)",
        t.groups(), t.seconds(), t.groupsPerSecond(), t.groupsPerSecond() * t.bytesPerGroup() / 1e6, t.bytesPerGroup());
  }
}
