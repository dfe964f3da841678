package dev.asyncrl.runtime.weights;

import dev.asyncrl.datastore.kafka.KafkaSettings;
import dev.asyncrl.datastore.kafka.KafkaTrajectoryStore;

import dev.asyncrl.core.BadInputException;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The trainer's side of the weights topic: each announcement is written in its own transaction and committed
 * before returning. The transactional id is the run's ({@code <topic>.trainer}), so a run has one announcing
 * trainer: a second trainer's announcer fences the first one's out when it starts (Kafka's producer
 * fencing), the first one's next announcement fails with {@link FencedException}, and workers, which read
 * committed records only, never see an announcement of a fenced trainer.
 */
public final class KafkaWeightAnnouncer implements AutoCloseable {

  static final String KEY = "policy";
  private final KafkaSettings settings;
  private final KafkaProducer<String, String> producer;

  public KafkaWeightAnnouncer(KafkaSettings settings) {
    this.settings = settings;
    Properties p = KafkaTrajectoryStore.producerProperties(settings);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // one record at a time, acknowledged before returning
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(settings));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    try {
      producer.initTransactions(); // fences any earlier trainer of this run
    } catch (RuntimeException e) {
      producer.close(KafkaSettings.CLOSE_TIMEOUT);
      throw new IllegalStateException("cannot start announcing on '" + settings.weightsTopic() + "' at "
          + settings.bootstrap() + ": " + e.getMessage(), e);
    }
  }

  public static String transactionalId(KafkaSettings settings) {
    return settings.topic() + ".trainer";
  }

  public void announce(WeightAnnouncement a) {
    try {
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(settings.weightsTopic(), KEY, a.toJson())).get();
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      throw fenced(a);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while announcing policy version " + a.version(), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ProducerFencedException || e.getCause() instanceof InvalidProducerEpochException) {
        throw fenced(a);
      }
      throw new IllegalStateException("cannot announce policy version " + a.version() + " on '" + settings.weightsTopic()
          + "' at " + settings.bootstrap() + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  private FencedException fenced(WeightAnnouncement a) {
    return new FencedException("another trainer of this run started (Kafka transactional id '"
        + transactionalId(settings) + "' at " + settings.bootstrap() + ") and took it over; this trainer stops "
        + "without announcing policy version " + a.version());
  }

  @Override
  public void close() {
    producer.close(KafkaSettings.CLOSE_TIMEOUT);
  }

  /**
   * This trainer was fenced out by a newer one of the same run. Restarting it would fence the newer one in
   * turn, so it is reported as an input problem (exit 2, never restarted by a supervisor).
   */
  public static final class FencedException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public FencedException(String message) {
      super(message);
    }
  }
}
