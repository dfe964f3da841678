package dev.asyncrl.datastore.kafka;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** The trainer's side of the weights topic: each announcement is written and acknowledged before returning. */
public final class KafkaWeightAnnouncer implements AutoCloseable {

  static final String KEY = "policy";
  private final KafkaSettings settings;
  private final KafkaProducer<String, String> producer;

  public KafkaWeightAnnouncer(KafkaSettings settings) {
    this.settings = settings;
    Properties p = KafkaTrajectoryStore.producerProperties(settings);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // one record at a time, acknowledged before returning
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  public void announce(WeightAnnouncement a) {
    try {
      producer.send(new ProducerRecord<>(settings.weightsTopic(), KEY, a.toJson())).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while announcing policy version " + a.version(), e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot announce policy version " + a.version() + " on '" + settings.weightsTopic()
          + "' at " + settings.bootstrap() + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public void close() {
    producer.close(KafkaSettings.CLOSE_TIMEOUT);
  }
}
