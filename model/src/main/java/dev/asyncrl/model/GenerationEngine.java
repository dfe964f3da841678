package dev.asyncrl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.asyncrl.gpu.HostData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Continuous batching: up to {@code slots} sequences decode together, one batched forward per token, over a
 * {@link SlotKvCache} allocated once. A finished sequence frees its slot at once, and the next request takes
 * it (a prefill of that slot only) while the others keep decoding, so no slot waits for the longest response.
 *
 * <p>Tokens are drawn on the device ({@link DeviceSampler}); per step only the ids and log-probs reach the
 * host. Each sequence draws from its own random stream ({@link Request#seed}), so its tokens do not depend on
 * which other sequences share the batch. Every token records the policy version that produced it: after
 * {@link #weightsChanged} the live sequences are re-encoded with the new weights and continue, so each token's
 * log-prob is exactly that of the version recorded with it.
 */
public final class GenerationEngine implements AutoCloseable {

  /**
   * A sequence to generate. {@code tag} comes back with its completion.
   *
   * @param maxNewTokens this sequence's length limit, at most the engine's; 0 = the engine's
   */
  public record Request(int[] prompt, long seed, Object tag, int maxNewTokens) {
    public Request(int[] prompt, long seed, Object tag) {
      this(prompt, seed, tag, 0);
    }
  }

  /** A finished sequence: response tokens, their behaviour log-probs and the version that drew each. */
  public record Completion(Object tag, int[] prompt, int[] tokens, float[] logProbs, long[] versions) {}

  private static final class Slot {
    final Request request;
    final SplittableRandom rng;
    final int[] tokens;
    final float[] logProbs;
    final long[] versions;
    final int limit;
    int length;

    Slot(Request request, int maxNew) {
      this.request = request;
      this.limit = request.maxNewTokens() > 0 ? Math.min(request.maxNewTokens(), maxNew) : maxNew;
      this.rng = new SplittableRandom(request.seed());
      this.tokens = new int[maxNew];
      this.logProbs = new float[maxNew];
      this.versions = new long[maxNew];
    }

    /** In (0, 1]: the point at which this sequence's next token inverts the distribution. */
    float uniform() {
      return (float) (1.0 - rng.nextDouble());
    }
  }

  private final TransformerPolicy policy;
  private final SamplingParams params;
  private final SlotKvCache cache;
  private final Slot[] slots;
  private final int maxPromptLen;
  private long version;

  /** @param maxPromptLen the longest prompt any request will have */
  public GenerationEngine(TransformerPolicy policy, SamplingParams params, int slots, int maxPromptLen) {
    this.policy = policy;
    this.params = params;
    this.maxPromptLen = maxPromptLen;
    this.slots = new Slot[slots];
    Architecture arch = policy.architecture();
    int longest = maxPromptLen + params.maxNewTokens();
    // A live sequence is re-encoded whole after new weights, so the reserve covers prompt + response; twice
    // that makes compaction happen at most once per response length.
    this.cache = new SlotKvCache(policy.manager(), arch.layers(), slots, arch.kvHeads(), arch.headDim(), 2 * longest,
        longest, policy.dataType());
  }

  /** Bytes of the key/value cache: slots × 2 × (prompt + max_new_tokens) columns per layer. */
  public long cacheBytes() {
    return cache.bytes();
  }

  /** How often the cache made room by shifting its columns (at most once per response length). */
  public int compactions() {
    return cache.compactions();
  }

  public int freeSlots() {
    int n = 0;
    for (Slot s : slots) {
      n += s == null ? 1 : 0;
    }
    return n;
  }

  public boolean idle() {
    return freeSlots() == slots.length;
  }

  /**
   * The policy's weights changed (now {@code version}): live sequences are re-encoded (prompt and tokens so
   * far) with them, so every later token is drawn exactly from the new policy.
   */
  public void weightsChanged(long version) {
    this.version = version;
    List<Integer> live = new ArrayList<>();
    List<int[]> seen = new ArrayList<>(); // what each live sequence has fed so far: its prompt and tokens but the last
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      if (s != null) {
        int[] fed = Arrays.copyOf(s.request.prompt(), s.request.prompt().length + s.length - 1);
        System.arraycopy(s.tokens, 0, fed, s.request.prompt().length, s.length - 1);
        live.add(i);
        seen.add(fed);
      }
    }
    if (!live.isEmpty()) {
      try (NDScope ignored = new NDScope()) {
        prefill(live.stream().mapToInt(Integer::intValue).toArray(), seen);
      }
    }
  }

  /**
   * Starts requests: the distinct prompts are encoded in one batched prefill (left-padded), requests that
   * share a prompt copy its keys and values, and every request's first token is drawn. Returns the requests
   * already finished (a first token that stops, or a length limit of 1).
   *
   * @throws IllegalStateException when fewer slots are free than requests
   */
  public List<Completion> start(List<Request> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    int[] free = new int[requests.size()];
    int found = 0;
    for (int i = 0; i < slots.length && found < free.length; i++) {
      if (slots[i] == null) {
        free[found++] = i;
      }
    }
    if (found < free.length) {
      throw new IllegalStateException(free.length + " requests but " + found + " free slots");
    }
    // The first request of each distinct prompt is prefilled; the others copy its slot.
    List<Integer> firsts = new ArrayList<>();
    int[] source = new int[requests.size()]; // index (into requests) of the request whose prefill each one uses
    for (int r = 0; r < requests.size(); r++) {
      int[] prompt = requests.get(r).prompt();
      if (prompt.length == 0 || prompt.length > maxPromptLen) {
        throw new IllegalArgumentException("a prompt of " + prompt.length + " tokens; this engine takes 1.."
            + maxPromptLen);
      }
      source[r] = r;
      for (int f : firsts) {
        if (Arrays.equals(requests.get(f).prompt(), prompt)) {
          source[r] = f;
          break;
        }
      }
      if (source[r] == r) {
        firsts.add(r);
      }
    }
    List<Completion> done = new ArrayList<>();
    try (NDScope ignored = new NDScope()) {
      int[] prefillSlots = firsts.stream().mapToInt(f -> free[f]).toArray();
      List<int[]> prompts = firsts.stream().map(f -> requests.get(f).prompt()).toList();
      NDArray last = prefill(prefillSlots, prompts);                                              // [P, V]
      long[] rowOf = new long[requests.size()];
      for (int r = 0; r < requests.size(); r++) {
        rowOf[r] = firsts.indexOf(source[r]);
        if (source[r] != r) {
          cache.copySlot(free[source[r]], free[r]);
        }
        slots[free[r]] = new Slot(requests.get(r), params.maxNewTokens());
      }
      NDArray rows = last.get(HostData.own(policy.manager().create(rowOf)));                       // [n, V]
      DeviceSampler.Draw draw = DeviceSampler.sample(rows, params, r -> slots[free[r]].uniform());
      for (int r = 0; r < requests.size(); r++) {
        record(free[r], (int) draw.tokens()[r], draw.logProbs()[r], done);
      }
    }
    return done;
  }

  /** One decode step for every live sequence; returns those that finished with it. */
  public List<Completion> step() {
    List<Completion> done = new ArrayList<>();
    if (idle()) {
      return done;
    }
    long[] fed = new long[slots.length];
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      fed[i] = s == null ? 0 : s.tokens[s.length - 1];
    }
    try (NDScope ignored = new NDScope()) {
      cache.compact(1);
      NDArray tokens = HostData.own(policy.manager().create(fed, new Shape(slots.length, 1)));
      NDArray logits = policy.nextTokenLogits(tokens, cache);                                      // [slots, V]
      DeviceSampler.Draw draw = DeviceSampler.sample(logits, params, i -> slots[i] == null ? 1f : slots[i].uniform());
      for (int i = 0; i < slots.length; i++) {
        if (slots[i] != null) {
          record(i, (int) draw.tokens()[i], draw.logProbs()[i], done);
        }
      }
    }
    return done;
  }

  /**
   * Encodes each of {@code prompts} into its slot (right-aligned below the current column), all in one
   * left-padded forward; returns each prompt's last-position logits, {@code [P, V]}.
   */
  private NDArray prefill(int[] slotsToFill, List<int[]> prompts) {
    int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
    long[] ids = new long[prompts.size() * longest];
    int[] lengths = new int[prompts.size()];
    for (int r = 0; r < prompts.size(); r++) {
      int[] p = prompts.get(r);
      lengths[r] = p.length;
      for (int t = 0; t < p.length; t++) {
        ids[r * longest + longest - p.length + t] = p[t];
      }
    }
    NDArray input = HostData.own(policy.manager().create(ids, new Shape(prompts.size(), longest)));
    return policy.nextTokenLogits(input, cache.prefill(slotsToFill, lengths));                     // [P, V]
  }

  private void record(int i, int token, float logProb, List<Completion> done) {
    Slot s = slots[i];
    s.tokens[s.length] = token;
    s.logProbs[s.length] = logProb;
    s.versions[s.length] = version;
    s.length++;
    if (params.isStop(token) || s.length == s.limit) {
      done.add(new Completion(s.request.tag(), s.request.prompt(), Arrays.copyOf(s.tokens, s.length),
          Arrays.copyOf(s.logProbs, s.length), Arrays.copyOf(s.versions, s.length)));
      slots[i] = null;
      cache.release(i);
    }
  }

  @Override
  public void close() {
    cache.close();
  }
}
