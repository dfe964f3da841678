package dev.asyncrl.deploy;


import dev.asyncrl.core.config.JobConfig;
import dev.asyncrl.core.config.JobSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders ready-to-submit launch files for a distributed job from the same YAML: an sbatch script for
 * Slurm, or Kubernetes manifests (the job YAML as a ConfigMap, a shared volume for weights and checkpoints,
 * the trainer as a one-replica StatefulSet, and the rollout workers as a scalable StatefulSet whose pod
 * ordinal is the worker process index). Both run the same {@code asyncrl trainer} / {@code asyncrl
 * rollout-worker} commands as {@code asyncrl launch}. The job file is copied next to them.
 */
public final class ClusterFiles {
  private ClusterFiles() {}

  static final String IMAGE = "asyncrl:0.1.0";

  public static List<Path> write(String target, Path config, List<String> overrides, JobConfig job, int workers, Path out) {
    try {
      Files.createDirectories(out);
      Path jobFile = out.resolve("job.yaml");
      Files.copy(config, jobFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      List<String> sets = new ArrayList<>(overrides);
      sets.add(JobSchema.STORE.path() + "=kafka");
      Path file;
      if (target.equals("slurm")) {
        file = out.resolve("asyncrl-" + job.get(JobSchema.NAME) + ".sbatch");
        Files.writeString(file, sbatch(job, workers, sets));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
      } else {
        file = out.resolve("asyncrl-" + job.get(JobSchema.NAME) + ".k8s.yaml");
        Files.writeString(file, kubernetes(job, workers, sets, Files.readString(config)));
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

  public static String sbatch(JobConfig job, int workers, List<String> sets) {
    int cpus = Math.max(1, job.get(JobSchema.THREADS));
    return String.format(Locale.ROOT, """
        #!/bin/bash
        # asyncrl distributed job '%1$s': 1 trainer + %2$d rollout-worker processes, connected by Kafka.
        # Submit with:  sbatch asyncrl-%1$s.sbatch      (from this folder; job.yaml is read from here)
        # Needs: `asyncrl` on PATH on every node, a reachable Kafka cluster, and a run folder that every node
        # sees (weights and checkpoints). A trainer that is requeued resumes from its newest checkpoint.
        #SBATCH --job-name=asyncrl-%1$s
        #SBATCH --ntasks=%3$d
        #SBATCH --cpus-per-task=%4$d
        #SBATCH --requeue
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
        """, job.get(JobSchema.NAME), workers, workers + 1, cpus, job.get(JobSchema.KAFKA_BOOTSTRAP), setArgs(sets).trim());
  }

  public static String kubernetes(JobConfig job, int workers, List<String> sets, String jobYaml) {
    String name = "asyncrl-" + job.get(JobSchema.NAME).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String args = setArgs(sets).replace("\"", "\\\"");
    String indentedJob = jobYaml.stripTrailing().replace("\n", "\n    ");
    String bootstrap = job.get(JobSchema.KAFKA_BOOTSTRAP);
    int cpus = Math.max(1, job.get(JobSchema.THREADS));
    return String.format(Locale.ROOT, """
        # asyncrl distributed job '%2$s': apply with  kubectl apply -f %1$s.k8s.yaml
        # Scale rollout workers with  kubectl scale statefulset %1$s-workers --replicas=N
        # Kafka: set KAFKA_BOOTSTRAP below (default from datastore.bootstrap). The image must contain `asyncrl`.
        # Kubernetes restarts a crashed pod; the trainer resumes from its newest checkpoint on the shared volume.
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: %1$s-job
        data:
          job.yaml: |
            %3$s
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: %1$s-run
        spec:
          accessModes: [ReadWriteMany]
          resources:
            requests:
              storage: 10Gi
        """, name, job.get(JobSchema.NAME), indentedJob)
        + statefulSet(name, "trainer", "trainer", 1, "",
            "exec asyncrl trainer /etc/asyncrl/job.yaml --run-dir /run/asyncrl" + args
                + " --set datastore.bootstrap=$KAFKA_BOOTSTRAP", bootstrap, "", cpus)
        + statefulSet(name, "workers", "rollout-worker", workers, "  podManagementPolicy: Parallel\n",
            "exec asyncrl rollout-worker /etc/asyncrl/job.yaml --process ${HOSTNAME##*-} --processes $WORKER_PROCESSES"
                + args + " --set datastore.bootstrap=$KAFKA_BOOTSTRAP", bootstrap,
            "            - {name: WORKER_PROCESSES, value: \"" + workers + "\"}  # keep equal to replicas when scaling\n",
            cpus);
  }

  /** One role as a StatefulSet that mounts the job ConfigMap and the shared run volume. */
  private static String statefulSet(String name, String suffix, String role, int replicas, String extraSpec,
      String command, String bootstrap, String extraEnv, int cpus) {
    return String.format(Locale.ROOT, """
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: %1$s-%2$s
        spec:
          serviceName: %1$s-%2$s
          replicas: %4$d
        %5$s  selector:
            matchLabels: {app: %1$s, role: %3$s}
          template:
            metadata:
              labels: {app: %1$s, role: %3$s}
            spec:
              containers:
                - name: %3$s
                  image: %6$s
                  command: ["sh", "-c"]
                  args: ["%7$s"]
                  env:
                    - {name: KAFKA_BOOTSTRAP, value: "%8$s"}
        %9$s          resources:
                    requests: {cpu: "%10$d"}
                  volumeMounts:
                    - {name: job, mountPath: /etc/asyncrl}
                    - {name: run, mountPath: /run/asyncrl}
              volumes:
                - name: job
                  configMap: {name: %1$s-job}
                - name: run
                  persistentVolumeClaim: {claimName: %1$s-run}
        """, name, suffix, role, replicas, extraSpec, IMAGE, command, bootstrap, extraEnv, cpus);
  }
}
