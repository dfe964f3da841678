package dev.asyncrl.rollout;

import dev.asyncrl.core.HorizonSchedule;
import dev.asyncrl.core.Trajectory;
import dev.asyncrl.core.TrajectoryGroup;
import dev.asyncrl.datastore.StalenessGate;
import dev.asyncrl.datastore.TrajectoryStore;
import dev.asyncrl.datastore.WeightChannel;
import dev.asyncrl.gpu.ComputeThread;
import dev.asyncrl.model.GenerationEngine;
import dev.asyncrl.model.PolicyWeights;
import dev.asyncrl.model.SamplingParams;
import dev.asyncrl.model.TransformerPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rollout worker: a {@link GenerationEngine} of {@code slots} sequences kept busy with episodes. A group
 * (K episodes of one task instance) is admitted through the staleness gate while slots are free; each model
 * turn decodes alongside everything else in flight, and when it ends its slot takes the next waiting turn at
 * once. The environment answers a turn on the worker's pool of environment threads, so a slow environment (a
 * tool call, a remote server) holds only its own episode while the other slots keep decoding. When the last
 * episode of a group is over, the group is appended to the store.
 *
 * <p>Single-turn tasks are the one-turn case: the prompt is the first observation, and the reward function
 * answers the one turn (on the worker's own thread: it is pure and quick).
 *
 * <p>Weights: with {@code partial} rollouts, a newer version (or the one {@code lag} behind the newest) is
 * loaded between two decode steps and in-flight turns continue under it; without, only when no turn is
 * decoding. Either way every token records the version that drew it, and a group's staleness counts from its
 * oldest token.
 */
public final class RolloutWorker implements Runnable {

  /**
   * What a worker needs; the policy is this worker's own copy.
   *
   * @param slots sequences decoded together
   * @param maxContext the longest context a turn may start from, in tokens (for a single-turn task its longest
   *     prompt); an episode whose context outgrows it ends
   * @param maxSequence the longest context + turn the model takes ({@code model.max_seq_len}): a turn is cut there
   * @param horizon the most turns an episode takes, by policy version ({@code rollout.max_turns})
   * @param latencyMs a delay added before every environment step ({@code env.latency_ms}), to simulate a slow one
   * @param partial load new weights mid-turn (per-token versions) instead of between turns
   * @param lag sample with the weights this many versions behind the newest published ({@code rollout.lag})
   * @param firstSequence the sequence number of this worker's first group id
   * @param failures shared by the workers of a process: episodes that failed
   */
  public record Setup(int workerId, TransformerPolicy policy, EnvironmentProvider environments, Prompting prompting,
      SamplingParams sampling, int groupSize, int slots, int maxContext, int maxSequence, HorizonSchedule horizon,
      long latencyMs, boolean partial, int lag, long seed, long firstSequence, EpisodeFailures failures) {}

  /** A group in flight: K episodes of one task instance. */
  private static final class Group {
    final long id;
    final long instance;
    final long seed;
    final Episode[] episodes;
    final long startNanos = System.nanoTime();
    int over;
    boolean failed;

    Group(long id, long instance, long seed, int k) {
      this.id = id;
      this.instance = instance;
      this.seed = seed;
      this.episodes = new Episode[k];
    }
  }

  /** Which episode of which group a turn belongs to. */
  private record Turn(Group group, int index) {}

  private final Setup setup;
  private final WeightChannel<PolicyWeights> weights;
  private final StalenessGate gate;
  private final TrajectoryStore store;
  private final SplittableRandom rng;
  private final Deque<GenerationEngine.Request> waiting = new ArrayDeque<>();
  /** What the environment threads hand back, run on the worker's thread: all episode state lives there. */
  private final BlockingQueue<Runnable> answers = new LinkedBlockingQueue<>();
  private final ExecutorService pool;
  private final Executor calls;
  private final List<Group> live = new ArrayList<>();
  private int resetting; // episodes admitted whose first observation is not back yet
  private int calling; // environment calls whose answer has not run yet
  private int appended; // groups appended since the last flush
  private long held = WeightChannel.NOTHING;
  private volatile long version = -1;
  private long nextSequence;
  private volatile boolean stopping;
  private final AtomicLong groupsAppended = new AtomicLong();
  private final AtomicLong tokensSampled = new AtomicLong();

  public RolloutWorker(Setup setup, WeightChannel<PolicyWeights> weights, StalenessGate gate, TrajectoryStore store) {
    this.setup = setup;
    this.weights = weights;
    this.gate = gate;
    this.store = store;
    this.rng = new SplittableRandom(setup.seed());
    this.nextSequence = setup.firstSequence();
    boolean inline = setup.environments() instanceof SingleTurnTask && setup.latencyMs() == 0;
    AtomicInteger threads = new AtomicInteger();
    this.pool = inline ? null : Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "env-" + setup.workerId() + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.calls = inline ? Runnable::run : pool;
  }

  /** Group ids are unique across workers: worker id in the high bits, a per-worker sequence below. */
  public static long groupId(int workerId, long sequence) {
    return ((long) workerId << 40) | sequence;
  }

  public void stop() {
    stopping = true;
  }

  /** Groups this worker appended to the store so far. */
  public long groupsAppended() {
    return groupsAppended.get();
  }

  /** Tokens the model sampled in the groups this worker appended. */
  public long tokensSampled() {
    return tokensSampled.get();
  }

  /** The policy version this worker samples with (−1 before the first). */
  public long version() {
    return version;
  }

  @Override
  public void run() {
    ComputeThread.inferenceOnly();
    try (GenerationEngine engine = new GenerationEngine(setup.policy(), setup.sampling(), setup.slots(),
        setup.maxContext())) {
      weights.awaitFirst();
      while (!stopping && !Thread.currentThread().isInterrupted()) {
        // Without partial rollouts a newer version waits for the turns decoding, and nothing new starts
        // meanwhile: a group sampled with older weights than its admission assumed could be too stale to train.
        boolean hold = !setup.partial() && newer();
        if (!hold && !admit(engine)) {
          return; // the gate closed: the run is over
        }
        answered(answers.poll()); // first observations back (at once when answered inline) queue first turns
        boolean current = !newer(); // after admission, which may have waited for the trainer's next version
        if (!current && (setup.partial() || engine.idle())) {
          load(engine);
          current = true;
        }
        boolean startable = current || setup.partial();
        if (startable && !waiting.isEmpty()) {
          turnsEnded(startWaiting(engine));
        }
        if (!engine.idle()) {
          turnsEnded(engine.step());
        } else if (waiting.isEmpty() && calling > 0) {
          // Nothing to decode, and episodes wait for their environments: wait for the first answer.
          answered(answers.poll(10, TimeUnit.MILLISECONDS));
        }
        answered(answers.poll()); // answers to the turns just ended: next turns queued, finished groups appended
        flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (; appended > 0; appended--) {
        gate.abandoned(); // appended but not flushed: not accepted
      }
      for (Group g : live) {
        gate.abandoned();
        for (Episode e : g.episodes) {
          if (e != null) {
            close(e);
          }
        }
      }
      live.clear();
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** Runs {@code work} (an environment call) on the environment threads; it hands its answer to {@link #answers}. */
  private void call(Runnable work) {
    calling++;
    calls.execute(work);
  }

  /** Runs environment answers on this thread: the one handed in and any others already back. */
  private void answered(Runnable first) throws InterruptedException {
    for (Runnable r = first; r != null; r = answers.poll()) {
      calling--;
      r.run();
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  private boolean newer() {
    return weights.hasNewer(held, setup.lag());
  }

  private void load(GenerationEngine engine) {
    held = weights.readIfNewer(held, setup.lag(), p -> {
      setup.policy().loadWeights(p.weights().arrays());
      version = p.version();
    });
    engine.weightsChanged(version);
  }

  /**
   * Admits groups while slots would otherwise stay free: waits for the gate only when nothing is in flight,
   * otherwise takes only what the gate grants at once. Episodes waiting for their environment hold no slot, so
   * more groups are admitted while they wait (the gate bounds how many).
   *
   * @return false when the gate closed
   */
  private boolean admit(GenerationEngine engine) throws InterruptedException {
    while (waiting.size() + resetting < engine.freeSlots()) {
      boolean granted = live.isEmpty() ? gate.acquire() : gate.tryAcquire();
      if (!granted) {
        return !live.isEmpty(); // a refused wait means the gate closed; a refused try, only that it is full
      }
      long id = groupId(setup.workerId(), nextSequence++);
      // Each turn's own stream: its tokens depend on the run seed, the group, the episode and the turn only.
      long seed = new SplittableRandom(setup.seed() * 0x9E3779B97F4A7C15L + id).nextLong();
      Group group = new Group(id, rng.nextLong(), seed, setup.groupSize());
      live.add(group);
      resetting += group.episodes.length;
      for (int i = 0; i < group.episodes.length; i++) {
        Episode e = new Episode(setup.environments().create(), setup.prompting().dialogue());
        group.episodes[i] = e;
        reset(group, i, e);
      }
    }
    return true;
  }

  private void reset(Group group, int index, Episode e) {
    call(() -> {
      Runnable answer;
      try {
        String observation = e.environment.reset(group.instance);
        int[] prompt = e.dialogue.open(observation);
        if (prompt.length == 0 || prompt.length > setup.maxContext()) {
          throw new IllegalStateException("the first observation is " + prompt.length + " tokens; a turn starts from 1.."
              + setup.maxContext() + " (model.max_seq_len - 1)");
        }
        answer = () -> {
          resetting--;
          e.open(observation, prompt);
          request(group, index, e);
        };
      } catch (Exception | LinkageError x) {
        close(e);
        answer = () -> {
          resetting--;
          fail(group, e, "reset threw " + x);
        };
      }
      answers.add(answer);
    });
  }

  /** Queues the episode's next turn; once its group has failed, ends it instead. */
  private void request(Group group, int index, Episode e) {
    if (group.failed) {
      close(e);
      episodeOver(group);
      return;
    }
    int[] context = e.context();
    int budget = Math.min(setup.sampling().maxNewTokens(), setup.maxSequence() - context.length);
    long seed = group.seed + index + (long) e.turns() * group.episodes.length;
    waiting.add(new GenerationEngine.Request(context, seed, new Turn(group, index), budget));
  }

  /** Starts waiting turns in the free slots, all in one prefill (a group's first turns share their prompt's). */
  private List<GenerationEngine.Completion> startWaiting(GenerationEngine engine) {
    List<GenerationEngine.Request> batch = new ArrayList<>();
    while (!waiting.isEmpty() && batch.size() < engine.freeSlots()) {
      batch.add(waiting.poll());
    }
    return engine.start(batch);
  }

  /** Hands each ended turn to its environment. */
  private void turnsEnded(List<GenerationEngine.Completion> completions) {
    for (GenerationEngine.Completion c : completions) {
      Turn turn = (Turn) c.tag();
      Group group = turn.group();
      Episode e = group.episodes[turn.index()];
      e.addTurn(c);
      boolean lastTurn = e.turns() >= setup.horizon().at(Math.max(0, version));
      step(group, turn.index(), e, setup.prompting().action(c.tokens(), setup.sampling()), c.tokens(), lastTurn);
    }
  }

  private void step(Group group, int index, Episode e, Environment.Action action, int[] ids, boolean lastTurn) {
    call(() -> {
      Runnable answer;
      try {
        if (setup.latencyMs() > 0) {
          Thread.sleep(setup.latencyMs());
        }
        Environment.Step step = Episode.checked(e.environment.step(action), !lastTurn);
        boolean goesOn = !step.done() && !lastTurn;
        int[] observation = goesOn ? e.dialogue.reply(ids, action.text(), action.terminated(), step.observation(), step.role()) : null;
        // The next turn must start within maxContext, which leaves it room for at least one token.
        boolean over = observation == null || e.contextLength() + observation.length > setup.maxContext();
        if (over) {
          close(e);
        }
        answer = () -> {
          e.addReward(step.reward());
          if (over) {
            episodeOver(group);
          } else {
            e.addObservation(observation);
            request(group, index, e);
          }
        };
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception | LinkageError x) {
        close(e);
        String problem = x instanceof Episode.InvalidStepException ? x.getMessage() : "step threw " + x;
        answer = () -> fail(group, e, problem);
      }
      answers.add(answer);
    });
  }

  /** One episode of {@code group} failed (its environment is closed): counted, and the group is not trained. */
  private void fail(Group group, Episode e, String problem) {
    group.failed = true;
    setup.failures().record(describe(setup.environments()), e.opening(), problem);
    episodeOver(group);
  }

  /** One more episode of {@code group} is over; the last one appends the group (or gives its slot back). */
  private void episodeOver(Group group) {
    if (++group.over < group.episodes.length) {
      return;
    }
    live.remove(group);
    if (group.failed) {
      gate.abandoned(); // the group cannot be trained without every episode; its slot is given back
      return;
    }
    long nanos = (System.nanoTime() - group.startNanos) / group.episodes.length;
    List<Trajectory> episodes = new ArrayList<>(group.episodes.length);
    long tokens = 0;
    for (Episode e : group.episodes) {
      Trajectory t = e.trajectory(nanos);
      episodes.add(t);
      tokens += t.modelTokens();
    }
    try {
      store.append(new TrajectoryGroup(group.id, setup.environments().name(), episodes, setup.workerId(),
          TrajectoryGroup.nowMicros()));
    } catch (InterruptedException x) {
      gate.abandoned();
      Thread.currentThread().interrupt();
      return;
    }
    appended++;
    groupsAppended.incrementAndGet();
    tokensSampled.addAndGet(tokens);
  }

  /** Flushes the groups appended since the last flush; each then counts as accepted (accepted means durable). */
  private void flush() {
    if (appended == 0) {
      return;
    }
    store.flush();
    for (; appended > 0; appended--) {
      gate.accepted();
    }
  }

  private static void close(Episode e) {
    try {
      e.environment.close();
    } catch (Exception ignored) {
      // an environment that fails to close has already given its episode; nothing is lost
    }
  }

  /**
   * How failures name an environment: its name and class (a single-turn task's, or the user's reward function
   * when it has one: what answers the turn).
   */
  static String describe(EnvironmentProvider p) {
    Object answering = p;
    if (p instanceof SingleTurnTask s) {
      answering = s.task() instanceof RewardedTask r ? r.reward() : s.task();
    }
    return "'" + p.name() + "' (" + answering.getClass().getName() + ")";
  }
}
