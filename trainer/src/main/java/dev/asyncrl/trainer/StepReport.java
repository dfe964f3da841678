package dev.asyncrl.trainer;

import dev.asyncrl.core.TrajectoryGroup;
import java.util.List;
import java.util.Map;

/**
 * What one trainer step did: the version it published, the groups it trained, dropped as too stale, and
 * skipped by the algorithm's group filter, and its metrics (stable names; see README, Metrics).
 *
 * @param trained the trained groups themselves, in the order of {@code trainedGroups} (for sample logs)
 */
public record StepReport(int step, long version, List<Long> trainedGroups, List<Long> droppedGroups,
    List<Long> filteredGroups, List<Long> trainedStaleness, Map<String, Double> metrics, List<TrajectoryGroup> trained) {}
