package dev.asyncrl.trainer;

import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.TransformerPolicy;

/** Publishing to rollout workers in this process: a weights copy on the channel, the gate told directly. */
public final class InProcessPublisher implements PolicyPublisher {

  private final WeightChannel<PolicyWeights> weights;
  private final StalenessGate gate;
  private long freed;

  public InProcessPublisher(WeightChannel<PolicyWeights> weights, StalenessGate gate) {
    this.weights = weights;
    this.gate = gate;
  }

  @Override
  public void publish(long version, TransformerPolicy policy) {
    weights.publish(version, PolicyWeights.copyOf(policy));
    gate.published(version);
  }

  @Override
  public void freed(long total) {
    if (total > freed) {
      gate.dropped((int) (total - freed));
      freed = total;
    }
  }
}
