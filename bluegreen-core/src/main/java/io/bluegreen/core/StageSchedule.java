package io.bluegreen.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The stages a plan moves through, as percents of traffic on the target ("to") environment,
 * strictly increasing and ending at 100.
 *
 * <pre>{@code
 * StageSchedule.allAtOnce();                                         // 100
 * StageSchedule.linear(25, Duration.ofMinutes(5));                   // 25, 50, 75, 100; each held 5 min
 * StageSchedule.canary(10, Duration.ofMinutes(15));                  // 10 held 15 min, then 100
 * StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 25, 50, 100);
 * StageSchedule.sourceWeights(Duration.ofMinutes(5), 90, 70, 50, 25, 0); // written as blue's weights
 * StageSchedule.builder().stage(10, Duration.ofMinutes(5)).stage(Stage.of(100, Duration.ZERO).withApproval()).build();
 * }</pre>
 */
public final class StageSchedule {

  private final List<Stage> stages;

  private StageSchedule(List<Stage> stages) {
    Checks.notNull(stages, "stages");
    if (stages.isEmpty()) {
      throw new InvalidConfigurationException("a schedule needs at least one stage: use StageSchedule.allAtOnce() to switch in one step");
    }
    int previous = 0;
    for (Stage s : stages) {
      Checks.notNull(s, "stage");
      if (s.targetWeight() <= previous) {
        throw new InvalidConfigurationException("stage weights must increase strictly, but "
            + describe(stages) + " has " + s.targetWeight() + " after " + previous + ": list each weight once, in increasing order");
      }
      previous = s.targetWeight();
    }
    if (previous != 100) {
      throw new InvalidConfigurationException("the last stage must send 100% to the target environment, but "
          + describe(stages) + " ends at " + previous + ": add a final stage at 100");
    }
    this.stages = List.copyOf(stages);
  }

  private static String describe(List<Stage> stages) {
    return stages.stream().map(s -> s == null ? "null" : String.valueOf(s.targetWeight())).collect(Collectors.joining("/"));
  }

  /** @return one stage at 100, no bake */
  public static StageSchedule allAtOnce() {
    return allAtOnce(Duration.ZERO);
  }

  /**
   * @param hold bake time at 100 while polling gates
   * @return one stage at 100
   */
  public static StageSchedule allAtOnce(Duration hold) {
    return new StageSchedule(List.of(Stage.of(100, hold)));
  }

  /**
   * Equal steps: {@code linear(25, d)} is 25, 50, 75, 100, each held {@code every}.
   *
   * @param stepPercent the step, 1..100 (the last stage is 100 even if it is not a multiple)
   * @param every bake time at each stage
   * @return the schedule
   */
  public static StageSchedule linear(int stepPercent, Duration every) {
    if (stepPercent < 1 || stepPercent > 100) {
      throw new InvalidConfigurationException("linear step " + stepPercent + "% is out of range: use 1 to 100");
    }
    List<Stage> list = new ArrayList<>();
    for (int w = stepPercent; w < 100; w += stepPercent) {
      list.add(Stage.of(w, every));
    }
    list.add(Stage.of(100, every));
    return new StageSchedule(list);
  }

  /**
   * A canary: {@code firstPercent} for {@code wait}, then everything.
   *
   * @param firstPercent the canary's share, 1..99
   * @param wait bake time at the canary stage
   * @return the schedule
   */
  public static StageSchedule canary(int firstPercent, Duration wait) {
    if (firstPercent < 1 || firstPercent > 99) {
      throw new InvalidConfigurationException("canary share " + firstPercent + "% is out of range: use 1 to 99 (100 is allAtOnce)");
    }
    return new StageSchedule(List.of(Stage.of(firstPercent, wait), Stage.of(100, Duration.ZERO)));
  }

  /**
   * Explicit stages given as the target environment's percent: {@code targetWeights(d, 10, 25, 50, 100)}.
   *
   * @param hold bake time at each stage
   * @param targetWeights increasing, ending at 100
   * @return the schedule
   */
  public static StageSchedule targetWeights(Duration hold, int... targetWeights) {
    Checks.notNull(targetWeights, "targetWeights");
    List<Stage> list = new ArrayList<>();
    for (int w : targetWeights) {
      list.add(Stage.of(w, hold));
    }
    return new StageSchedule(list);
  }

  /**
   * Explicit stages given as the source environment's remaining percent, the way a schedule is often
   * written: {@code sourceWeights(d, 90, 70, 50, 25, 0)} is target 10, 30, 50, 75, 100.
   *
   * @param hold bake time at each stage
   * @param sourceWeights decreasing, ending at 0
   * @return the schedule
   */
  public static StageSchedule sourceWeights(Duration hold, int... sourceWeights) {
    Checks.notNull(sourceWeights, "sourceWeights");
    int[] target = new int[sourceWeights.length];
    for (int i = 0; i < sourceWeights.length; i++) {
      if (sourceWeights[i] < 0 || sourceWeights[i] > 99) {
        throw new InvalidConfigurationException("source weight " + sourceWeights[i]
            + " is out of range: the source keeps 0 to 99 percent at each stage and ends at 0");
      }
      target[i] = 100 - sourceWeights[i];
    }
    return targetWeights(hold, target);
  }

  /**
   * @param stages the stages, in order
   * @return the schedule
   */
  public static StageSchedule of(List<Stage> stages) {
    return new StageSchedule(new ArrayList<>(Checks.notNull(stages, "stages")));
  }

  /** @return a builder for schedules with different holds or approvals per stage */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the stages, in order */
  public List<Stage> stages() {
    return stages;
  }

  /** @return how many stages */
  public int size() {
    return stages.size();
  }

  /** @return whether this schedule has intermediate stages and so needs a weighted router */
  public boolean isWeighted() {
    return stages.size() > 1;
  }

  /**
   * @param hold bake time for the final (100%) stage
   * @return a copy with that final hold
   */
  public StageSchedule withFinalHold(Duration hold) {
    List<Stage> copy = new ArrayList<>(stages);
    copy.set(copy.size() - 1, copy.get(copy.size() - 1).withHold(hold));
    return new StageSchedule(copy);
  }

  /**
   * @param stageNumber 1-based stage number
   * @param timeout approval timeout, or null for none
   * @return a copy where that stage waits for approval before it is applied
   */
  public StageSchedule withApprovalBefore(int stageNumber, Duration timeout) {
    if (stageNumber < 1 || stageNumber > stages.size()) {
      throw new InvalidConfigurationException("stage " + stageNumber + " does not exist: this schedule has stages 1 to " + stages.size());
    }
    List<Stage> copy = new ArrayList<>(stages);
    Stage s = copy.get(stageNumber - 1);
    copy.set(stageNumber - 1, timeout == null ? s.withApproval() : s.withApproval(timeout));
    return new StageSchedule(copy);
  }

  /** @return the target weights in order, e.g. [10, 25, 50, 100] */
  public List<Integer> targetWeights() {
    return stages.stream().map(Stage::targetWeight).collect(Collectors.toUnmodifiableList());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StageSchedule s && s.stages.equals(stages);
  }

  @Override
  public int hashCode() {
    return stages.hashCode();
  }

  @Override
  public String toString() {
    return describe(stages);
  }

  /**
   * Builds a {@link StageSchedule} stage by stage.
   *
   * <pre>{@code
   * StageSchedule s = StageSchedule.builder()
   *     .stage(10, Duration.ofMinutes(10))
   *     .stage(Stage.of(50, Duration.ofMinutes(10)).withApproval())
   *     .stage(100, Duration.ZERO)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final List<Stage> stages = new ArrayList<>();

    private Builder() {
    }

    /**
     * @param targetWeight percent on the target
     * @param hold bake time
     * @return this builder
     */
    public Builder stage(int targetWeight, Duration hold) {
      stages.add(Stage.of(targetWeight, hold));
      return this;
    }

    /**
     * @param stage a stage
     * @return this builder
     */
    public Builder stage(Stage stage) {
      stages.add(Checks.notNull(stage, "stage"));
      return this;
    }

    /** @return the schedule */
    public StageSchedule build() {
      return new StageSchedule(stages);
    }
  }
}
