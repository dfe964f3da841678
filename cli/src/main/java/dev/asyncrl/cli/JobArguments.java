package dev.asyncrl.cli;

import dev.asyncrl.runtime.JobRunner;

import dev.asyncrl.core.config.JobConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The job arguments every job command takes: the YAML file and {@code --set path=value} overrides. */
final class JobArguments {

  @Parameters(index = "0", paramLabel = "CONFIG", description = "job YAML, e.g. configs/quickstart.yaml")
  Path config;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a key, e.g. --set trainer.lr=3e-4")
  List<String> overrides = new ArrayList<>();

  /** Reads and validates the job, with {@code extra} overrides applied after the user's. */
  JobConfig load(String... extra) {
    List<String> all = new ArrayList<>(overrides);
    all.addAll(List.of(extra));
    return JobRunner.load(config, all);
  }
}
