package dev.asyncrl.runtime;

import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.JobConfig;

/** A job file written in a test, read as {@code asyncrl train} reads one, with {@code --set} overrides. */
final class TestJobs {
  private TestJobs() {}

  static JobConfig read(String yaml, String fileName, String... overrides) {
    ConfigSource source = ConfigSource.fromString(yaml, fileName);
    for (String o : overrides) {
      source.override(o);
    }
    return JobConfig.read(source, JobRunner.ALGORITHMS.jobSchema());
  }
}
