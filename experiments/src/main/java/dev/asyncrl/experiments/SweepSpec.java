package dev.asyncrl.experiments;

import dev.asyncrl.core.config.ConfigException;
import dev.asyncrl.core.config.ConfigSchema;
import dev.asyncrl.core.config.ConfigSource;
import dev.asyncrl.core.config.RawValue;
import dev.asyncrl.core.config.Setting;
import dev.asyncrl.core.config.Settings;
import dev.asyncrl.core.config.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep file: a base job, overrides common to every run ({@code set}), and a grid of axes whose cartesian
 * product gives the runs, e.g.
 *
 * <pre>
 * base: ../quickstart.yaml          # relative to this file
 * set: {trainer.steps: 600}
 * grid:
 *   algorithm.name: [tis, vcpo]
 *   rollout.lag: [0, 8]
 *   seed: [1, 2]
 * </pre>
 *
 * @param points every grid point as its job overrides, in grid order (the last axis varies fastest)
 */
public record SweepSpec(Path file, Path base, String name, Path outputDir, int parallel, double targetReward,
    int finalWindow, List<String> common, List<Point> points) {

  /** One run of the sweep: its axis values ({@code path → value}) in axis order. */
  public record Point(Map<String, String> values) {

    /** {@code algorithm.name=vcpo,rollout.lag=8,seed=1}: the run folder name and table key. */
    public String label() {
      List<String> parts = new ArrayList<>();
      values.forEach((k, v) -> parts.add(k + "=" + v));
      return String.join(",", parts);
    }

    public List<String> overrides() {
      return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /** The values without {@code seed}: runs that differ only in their seed are one configuration. */
    public Map<String, String> configuration() {
      Map<String, String> c = new LinkedHashMap<>(values);
      c.remove("seed");
      return c;
    }
  }

  static final Setting<String> BASE = Setting.required("base", ValueType.STRING, "base job YAML, relative to the sweep file");
  static final Setting<String> NAME = Setting.string("name", "", "sweep name: the folder <output_dir>/<name>; default the file name");
  static final Setting<String> OUTPUT_DIR = Setting.string("output_dir", "runs/sweeps", "folder that receives sweep folders");
  static final Setting<Integer> PARALLEL = Setting.integer("parallel", 1, "runs trained at the same time")
      .check(v -> v > 0, "must be > 0");
  static final Setting<Double> TARGET = Setting.number("target_reward", 0.9,
      "a run reaches the target at the first step where its final_window-step mean reward is at least this");
  static final Setting<Integer> WINDOW = Setting.integer("final_window", 50,
      "steps averaged for the final reward and for reaching the target").check(v -> v > 0, "must be > 0");
  static final ConfigSchema SCHEMA = new ConfigSchema(List.of(BASE, NAME, OUTPUT_DIR, PARALLEL, TARGET, WINDOW));

  public static SweepSpec load(Path file) {
    ConfigSource source = ConfigSource.fromFile(file);
    Map<String, RawValue> grid = source.takeSection("grid");
    Map<String, RawValue> set = source.takeSection("set");
    Settings s = SCHEMA.resolve(source);
    if (grid.isEmpty()) {
      throw new ConfigException(file + ": a sweep needs a grid section, e.g. grid: {seed: [1, 2, 3]}");
    }
    List<String> common = new ArrayList<>();
    set.forEach((path, raw) -> {
      if (raw.isList()) {
        throw new ConfigException("set." + path + " at " + raw.origin() + ": expected one value; put lists under grid");
      }
      common.add(path + "=" + raw.text());
    });
    List<Point> points = new ArrayList<>();
    points.add(new Point(new LinkedHashMap<>()));
    for (Map.Entry<String, RawValue> axis : grid.entrySet()) {
      RawValue raw = axis.getValue();
      List<String> values = raw.isList() ? raw.items() : List.of(raw.text());
      if (values.isEmpty()) {
        throw new ConfigException("grid." + axis.getKey() + " at " + raw.origin() + ": needs at least one value");
      }
      List<Point> next = new ArrayList<>();
      for (Point p : points) {
        for (String v : values) {
          Map<String, String> m = new LinkedHashMap<>(p.values());
          m.put(axis.getKey(), v);
          next.add(new Point(m));
        }
      }
      points = next;
    }
    String name = s.get(NAME).isEmpty() ? stem(file) : s.get(NAME);
    Path dir = file.toAbsolutePath().getParent();
    return new SweepSpec(file, dir.resolve(s.get(BASE)).normalize(), name, Path.of(s.get(OUTPUT_DIR)), s.get(PARALLEL),
        s.get(TARGET), s.get(WINDOW), List.copyOf(common), List.copyOf(points));
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  public Path folder() {
    return outputDir.resolve(name);
  }

  /** The full override list of a point: the common ones first, then its axis values. */
  public List<String> overrides(Point p) {
    List<String> all = new ArrayList<>(common);
    all.addAll(p.overrides());
    return all;
  }
}
