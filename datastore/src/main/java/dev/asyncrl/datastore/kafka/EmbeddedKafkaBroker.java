package dev.asyncrl.datastore.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single-node Kafka broker (KRaft: broker and controller in one) running inside this JVM, from the
 * Maven Central jars. For {@code asyncrl launch --embedded-kafka} and for tests against a real broker.
 *
 * <p>The log folder is formatted on first use and kept, so {@link #restart()} brings back the same broker,
 * on the same ports, with every record it had acknowledged.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private final int controllerPort;
  private KafkaRaftServer server;

  private EmbeddedKafkaBroker(Path dataDir, int port, int controllerPort) {
    this.dataDir = dataDir;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /** Starts a broker on free local ports, with its log in {@code dataDir}. */
  public static EmbeddedKafkaBroker start(Path dataDir) {
    return start(dataDir, freePort(), freePort());
  }

  /** Starts a broker on the given ports ({@code port} for clients), with its log in {@code dataDir}. */
  public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort) {
    EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(dataDir.toAbsolutePath(), port, controllerPort);
    // A broker that cannot go on (its log folder failed: a full disk) halts its JVM; say why before it does.
    org.apache.kafka.common.utils.Exit.setHaltProcedure((status, message) -> {
      System.err.println("error: the embedded Kafka broker stopped this process (status " + status + ")"
          + (message == null ? "" : ": " + message) + "; its log folder is " + broker.dataDir
          + " (is the disk full?)");
      System.err.flush();
      Runtime.getRuntime().halt(status);
    });
    broker.startServer();
    return broker;
  }

  /** {@code host:port} for clients' {@code bootstrap.servers}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Stops the broker (if running) and starts it again on the same ports and log. */
  public synchronized void restart() {
    stop();
    startServer();
  }

  /** Stops the broker; the log stays on disk. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  private synchronized void startServer() {
    Properties props = properties();
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(dataDir.resolve("meta.properties"))) {
        Path file = dataDir.resolveSibling(dataDir.getFileName() + ".properties");
        try (var out = Files.newOutputStream(file)) {
          props.store(out, "asyncrl embedded broker");
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", file.toString()},
            new PrintStream(log, true, StandardCharsets.UTF_8));
        if (rc != 0) {
          throw new IllegalStateException("cannot format the Kafka log folder " + dataDir + ": "
              + log.toString(StandardCharsets.UTF_8).trim());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka log folder " + dataDir, e);
    }
    server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
    server.startup();
  }

  private Properties properties() {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("num.partitions", "1");
    p.put("log.cleaner.backoff.ms", "1000");
    return p;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }
}
