package dev.asyncrl.cli;

import dev.asyncrl.deploy.ClusterFiles;
import dev.asyncrl.runtime.JobRunner;
import dev.asyncrl.runtime.RunLock;
import dev.asyncrl.runtime.Supervisor;

import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import dev.asyncrl.datastore.kafka.EmbeddedKafkaBroker;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code asyncrl launch CONFIG --workers N [--embedded-kafka]}: the trainer and N rollout-worker processes
 * on this machine, supervised; or, with {@code --target slurm|k8s --out DIR}, the files that launch the same
 * job on a cluster.
 */
@Command(name = "launch", description = "Run a job as separate processes connected by Kafka: the trainer and "
    + "--workers rollout-worker processes, supervised (a crashed process is restarted; Ctrl-C stops everything). "
    + "With --target slurm|k8s, write cluster launch files instead.")
final class LaunchCommand implements Callable<Integer> {

  static final String KAFKA = JobSchema.STORE.path() + "=kafka";

  /** The job; {@code datastore.type} is set to kafka. */
  @Mixin
  JobArguments arguments = new JobArguments();

  @Option(names = "--workers", paramLabel = "N", description = "rollout-worker processes (default ${DEFAULT-VALUE})")
  int workers = 2;

  @Option(names = "--embedded-kafka", description = "start a single-node Kafka broker (KRaft) inside this process, "
      + "with its log in <run folder>/kafka, and use it")
  boolean embeddedKafka;

  @Mixin
  RunArguments run = new RunArguments();

  @Option(names = "--max-restarts", paramLabel = "N", description = "restarts allowed per process (default ${DEFAULT-VALUE})")
  int maxRestarts = 10;

  /** Where the job runs: here, supervised, or as files for a cluster scheduler. */
  enum Target { local, slurm, k8s }

  @Option(names = "--target", paramLabel = "TARGET", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
  Target target = Target.local;

  @Spec
  CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR", description = "where --target slurm|k8s writes its files")
  Path out;

  @Option(names = "--image", paramLabel = "IMAGE", description = "k8s: the container image with asyncrl on its PATH "
      + "(default ${DEFAULT-VALUE})")
  String image = ClusterFiles.Resources.DEFAULT_IMAGE;

  @Option(names = "--gpus", paramLabel = "N", description = "slurm|k8s: GPUs per process (default ${DEFAULT-VALUE})")
  int gpus;

  @Option(names = "--memory", paramLabel = "SIZE", description = "slurm: memory per CPU (e.g. 16G); k8s: per pod (e.g. 64Gi)")
  String memory = "";

  @Option(names = "--time", paramLabel = "LIMIT", description = "slurm: the job's time limit (e.g. 24:00:00)")
  String time = "";

  @Option(names = "--storage-class", paramLabel = "CLASS", description = "k8s: storage class of the shared ReadWriteMany "
      + "volume (default: the cluster's)")
  String storageClass = "";

  @Option(names = "--storage", paramLabel = "SIZE", description = "k8s: size of the shared volume (default ${DEFAULT-VALUE})")
  String storage = "50Gi";

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || workers > 1024) {
      throw new ParameterException(spec.commandLine(), "--workers must be between 1 and 1024, got " + workers);
    }
    if (maxRestarts < 0) {
      throw new ParameterException(spec.commandLine(), "--max-restarts must be >= 0, got " + maxRestarts);
    }
    if (target != Target.local && out == null) {
      throw new ParameterException(spec.commandLine(), "--target " + target + " needs --out DIR");
    }
    List<String> kafkaOverrides = new ArrayList<>(arguments.overrides);
    kafkaOverrides.add(KAFKA);
    JobConfig job = arguments.load(KAFKA);
    if (run.dryRun) {
      run.dryRun(job, !embeddedKafka);
      return 0;
    }
    if (target != Target.local) {
      if (gpus < 0) {
        throw new ParameterException(spec.commandLine(), "--gpus must be >= 0, got " + gpus);
      }
      // Only the job file is read here: the model and data need to exist where the job runs.
      List<Path> files = ClusterFiles.write(target.name(), arguments.config, arguments.overrides, job, workers,
          new ClusterFiles.Resources(image, gpus, memory, time, storageClass, storage, maxRestarts), out);
      files.forEach(f -> System.out.println("wrote " + f));
      return 0;
    }
    JobRunner.check(job, false);
    if (!embeddedKafka) {
      JobRunner.checkReachable(job, JobRunner.kafka(job)); // before any process starts
    }
    return launchHere(job, kafkaOverrides, System.out::println, s -> {});
  }

  /** Starts (optionally) a broker, the trainer and the workers; supervises until the trainer finishes. */
  int launchHere(JobConfig job, List<String> childOverrides, Consumer<String> log, Consumer<Supervisor> started)
      throws Exception {
    Path dir = run.runDir(job);
    try (RunLock lock = RunLock.acquire(dir, "launch", Duration.ZERO)) {
      if (run.startMode() == JobRunner.Start.FRESH) {
        JobRunner.clear(dir); // the embedded broker's log too: a fresh run starts from empty topics
      }
      int step = JobRunner.checkpointedStep(dir);
      if (step >= job.get(JobSchema.STEPS)) {
        log.accept("[launch] " + JobRunner.completeMessage(dir, step, job.get(JobSchema.STEPS)));
        return 0;
      }
      return superviseHere(dir, job, childOverrides, log, started);
    }
  }

  private int superviseHere(Path dir, JobConfig job, List<String> childOverrides, Consumer<String> log,
      Consumer<Supervisor> started) throws Exception {
    List<String> sets = new ArrayList<>(childOverrides);
    EmbeddedKafkaBroker broker = null;
    if (embeddedKafka) {
      broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
      sets.add("datastore.bootstrap=" + broker.bootstrap());
      log.accept("[launch] embedded Kafka broker at " + broker.bootstrap() + ", log in " + dir.resolve("kafka"));
    }
    List<String> common = new ArrayList<>();
    for (String s : sets) {
      common.add("--set");
      common.add(s);
    }
    Path configFile = arguments.config.toAbsolutePath();
    try (Supervisor supervisor = new Supervisor(Supervisor.currentJava(AsyncRlCommand.class), maxRestarts, log)) {
      Thread hook = new Thread(supervisor::close, "launch-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      List<String> trainerArgs = new ArrayList<>(List.of("trainer", configFile.toString(), "--run-dir", dir.toString()));
      trainerArgs.addAll(common);
      supervisor.start(new Supervisor.Role("trainer", trainerArgs));
      for (int i = 0; i < workers; i++) {
        List<String> args = new ArrayList<>(List.of("rollout-worker", configFile.toString(), "--process", String.valueOf(i),
            "--processes", String.valueOf(workers)));
        args.addAll(common);
        supervisor.start(new Supervisor.Role("worker-" + i, args));
      }
      log.accept("[launch] trainer and " + workers + " rollout-worker process(es) started; run folder " + dir);
      started.accept(supervisor);
      int code = supervisor.awaitCompletion("trainer");
      if (code == 0) {
        supervisor.awaitOthers(20);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException alreadyShuttingDown) {
        // Ctrl-C: the hook is stopping everything
      }
      return code;
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }
}
