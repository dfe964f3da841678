package dev.asyncrl.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.asyncrl.core.BuildInfo;
import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders ready-to-submit launch files for a distributed job from the same YAML: an sbatch script for Slurm,
 * or Kubernetes manifests built as typed objects (the job YAML as a ConfigMap, a shared volume for weights and
 * checkpoints, the trainer as a Job, and the rollout workers as an Indexed Job whose completion index is the
 * worker process index). Both run the same {@code asyncrl trainer} / {@code asyncrl rollout-worker} commands as
 * {@code asyncrl launch}, with the broker of {@code datastore.bootstrap}. The job file is copied next to them.
 * Nothing is read but the job file: the model and data need to exist only where the job runs.
 */
public final class ClusterFiles {
  private ClusterFiles() {}

  /**
   * What each process asks of the cluster.
   *
   * @param image        the container image with {@code asyncrl} on its PATH (Kubernetes)
   * @param gpus         GPUs per process, 0 for none
   * @param memory       memory per process, e.g. {@code 64G} (Slurm) or {@code 64Gi} (Kubernetes); empty = unset
   * @param time         Slurm time limit, e.g. {@code 24:00:00}; empty = the partition's default
   * @param storageClass the shared volume's storage class (Kubernetes); empty = the cluster's default
   * @param storage      the shared volume's size, e.g. {@code 50Gi}
   * @param restarts     restarts allowed per process before the job fails (Kubernetes)
   */
  public record Resources(String image, int gpus, String memory, String time, String storageClass, String storage,
      int restarts) {
    public static final String DEFAULT_IMAGE = "asyncrl:" + BuildInfo.version();
  }

  public static List<Path> write(String target, Path config, List<String> overrides, JobConfig job, int workers,
      Resources resources, Path out) {
    try {
      Files.createDirectories(out);
      Path jobFile = out.resolve("job.yaml");
      Files.copy(config, jobFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      List<String> sets = new ArrayList<>(overrides);
      sets.add(JobSchema.STORE.path() + "=kafka");
      Path file;
      if (target.equals("slurm")) {
        file = out.resolve("asyncrl-" + job.get(JobSchema.NAME) + ".sbatch");
        Files.writeString(file, sbatch(job, workers, sets, resources));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      } else {
        file = out.resolve("asyncrl-" + job.get(JobSchema.NAME) + ".k8s.yaml");
        Files.writeString(file, kubernetes(job, workers, sets, Files.readString(config), resources));
      }
      return List.of(jobFile, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write launch files to " + out, e);
    }
  }

  private static String setArgs(List<String> sets) {
    StringBuilder s = new StringBuilder();
    for (String set : sets) {
      s.append(" --set '").append(set.replace("'", "'\\''")).append('\'');
    }
    return s.toString();
  }

  public static String sbatch(JobConfig job, int workers, List<String> sets, Resources r) {
    int cpus = Math.max(1, job.get(JobSchema.THREADS));
    StringBuilder asks = new StringBuilder();
    if (r.gpus() > 0) {
      asks.append("#SBATCH --gres=gpu:").append(r.gpus()).append('\n');
    }
    if (!r.memory().isEmpty()) {
      asks.append("#SBATCH --mem-per-cpu=").append(r.memory()).append('\n');
    }
    if (!r.time().isEmpty()) {
      asks.append("#SBATCH --time=").append(r.time()).append('\n');
    }
    return String.format(Locale.ROOT, """
        #!/bin/bash
        # asyncrl distributed job '%1$s': 1 trainer + %2$d rollout-worker processes, connected by Kafka.
        # Submit with:  sbatch asyncrl-%1$s.sbatch      (from this folder; job.yaml is read from here)
        # Needs: `asyncrl` on PATH on every node, the model and data where the job's paths say, a run folder that
        # every node sees (weights and checkpoints), and a Kafka broker that every node reaches: %5$s from
        # datastore.bootstrap, or KAFKA_BOOTSTRAP at submission (a broker on a login node is usually not
        # reachable from compute nodes). A trainer that is requeued resumes from its newest checkpoint.
        #SBATCH --job-name=asyncrl-%1$s
        #SBATCH --ntasks=%3$d
        #SBATCH --cpus-per-task=%4$d
        %7$s#SBATCH --requeue
        #SBATCH --output=asyncrl-%1$s-%%j.out
        set -euo pipefail
        JOB="$SLURM_SUBMIT_DIR/job.yaml"
        RUN_DIR="${ASYNCRL_RUN_DIR:-$SLURM_SUBMIT_DIR/run-%1$s}"
        BOOTSTRAP="${KAFKA_BOOTSTRAP:-%5$s}"
        SETS=(%6$s --set "datastore.bootstrap=$BOOTSTRAP")
        mkdir -p "$RUN_DIR"

        srun --ntasks=1 --exclusive --kill-on-bad-exit=0 \\
          asyncrl trainer "$JOB" --run-dir "$RUN_DIR" "${SETS[@]}" &
        TRAINER=$!
        srun --ntasks=%2$d --exclusive --kill-on-bad-exit=0 \\
          bash -c 'exec asyncrl rollout-worker "$0" --process "$SLURM_PROCID" --processes "$SLURM_NTASKS" "${@}"' "$JOB" "${SETS[@]}" &
        WORKERS=$!
        wait "$TRAINER"
        wait "$WORKERS"
        """, job.get(JobSchema.NAME), workers, workers + 1, cpus, job.get(JobSchema.KAFKA_BOOTSTRAP),
        setArgs(sets).trim(), asks);
  }

  /** The manifests as one multi-document YAML stream. */
  public static String kubernetes(JobConfig job, int workers, List<String> sets, String jobYaml, Resources r) {
    String name = "asyncrl-" + job.get(JobSchema.NAME).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    List<String> common = new ArrayList<>();
    for (String set : sets) {
      common.add("--set");
      common.add(set);
    }
    common.add("--set");
    common.add(JobSchema.KAFKA_BOOTSTRAP.path() + "=" + job.get(JobSchema.KAFKA_BOOTSTRAP));
    List<String> trainerArgs = new ArrayList<>(List.of("trainer", "/etc/asyncrl/job.yaml", "--run-dir", "/run/asyncrl"));
    trainerArgs.addAll(common);
    List<String> workerArgs = new ArrayList<>(List.of("rollout-worker", "/etc/asyncrl/job.yaml", "--process",
        "$(PROCESS)", "--processes", String.valueOf(workers)));
    workerArgs.addAll(common);
    int cpus = Math.max(1, job.get(JobSchema.THREADS));
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(new ConfigMapBuilder().withNewMetadata().withName(name + "-job").endMetadata()
        .addToData("job.yaml", jobYaml).build());
    objects.add(new PersistentVolumeClaimBuilder().withNewMetadata().withName(name + "-run").endMetadata()
        .withNewSpec().withAccessModes("ReadWriteMany").withStorageClassName(r.storageClass().isEmpty() ? null
            : r.storageClass()).withNewResources().addToRequests("storage", new Quantity(r.storage())).endResources()
        .endSpec().build());
    objects.add(job(name, "trainer", 1, false, container("trainer", trainerArgs, cpus, r), r));
    objects.add(job(name, "rollout-worker", workers, true, container("rollout-worker", workerArgs, cpus, r), r));
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.SPLIT_LINES)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));
    StringBuilder out = new StringBuilder("# asyncrl distributed job '" + job.get(JobSchema.NAME) + "': kubectl apply -f "
        + name + ".k8s.yaml\n# The trainer is a Job, the " + workers + " rollout-worker processes an Indexed Job; "
        + "both end when the training does.\n# A failed pod is restarted up to " + r.restarts() + " times; the trainer "
        + "resumes from its newest checkpoint on the shared volume.\n");
    try {
      for (HasMetadata o : objects) {
        out.append(yaml.writeValueAsString(o));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write Kubernetes YAML: " + e.getMessage(), e);
    }
    return out.toString();
  }

  private static Container container(String role, List<String> args, int cpus, Resources r) {
    ResourceRequirementsBuilder res = new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity(String.valueOf(cpus)));
    if (!r.memory().isEmpty()) {
      res.addToRequests("memory", new Quantity(r.memory())).addToLimits("memory", new Quantity(r.memory()));
    }
    if (r.gpus() > 0) {
      res.addToLimits("nvidia.com/gpu", new Quantity(String.valueOf(r.gpus())));
    }
    ContainerBuilder c = new ContainerBuilder().withName(role).withImage(r.image()).withCommand("asyncrl")
        .withArgs(args).withResources(res.build())
        .addNewVolumeMount().withName("job").withMountPath("/etc/asyncrl").endVolumeMount()
        .addNewVolumeMount().withName("run").withMountPath("/run/asyncrl").endVolumeMount();
    if (role.equals("rollout-worker")) {
      c.addNewEnv().withName("PROCESS").withNewValueFrom().withNewFieldRef()
          .withFieldPath("metadata.annotations['batch.kubernetes.io/job-completion-index']").endFieldRef()
          .endValueFrom().endEnv();
    }
    return c.build();
  }

  private static io.fabric8.kubernetes.api.model.batch.v1.Job job(String name, String role, int count, boolean indexed,
      Container container, Resources r) {
    Map<String, String> labels = Map.of("app", name, "role", role);
    return new JobBuilder().withNewMetadata().withName(name + "-" + role).withLabels(labels).endMetadata()
        .withNewSpec().withCompletions(count).withParallelism(count).withCompletionMode(indexed ? "Indexed" : null)
        .withBackoffLimit(r.restarts() * count)
        .withNewTemplate().withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().withRestartPolicy("OnFailure").withContainers(container)
        .addNewVolume().withName("job").withNewConfigMap().withName(name + "-job").endConfigMap().endVolume()
        .addNewVolume().withName("run").withNewPersistentVolumeClaim().withClaimName(name + "-run")
        .endPersistentVolumeClaim().endVolume()
        .endSpec().endTemplate().endSpec().build();
  }
}
