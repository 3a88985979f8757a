package io.bluegreen.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How traffic is shared between environments: integer percents that sum to 100. Immutable.
 *
 * <pre>{@code
 * TrafficSplit before = TrafficSplit.of(blue, 90, green, 10);
 * before.toString();              // "blue=90 green=10"
 * before.weightOf(green);         // 10
 * TrafficSplit.parse("blue=0 green=100").equals(TrafficSplit.allTo(green)); // true
 * }</pre>
 *
 * <p>The order in which environments were given is kept for display. Equality ignores order and
 * treats an environment at 0 like an absent one: {@code blue=0 green=100} equals {@code green=100}.
 */
public final class TrafficSplit {

  private final Map<Environment, Integer> weights;

  private TrafficSplit(Map<Environment, Integer> weights) {
    this.weights = Collections.unmodifiableMap(weights);
  }

  /**
   * @param a first environment
   * @param weightA its percent (0..100)
   * @param b second environment
   * @param weightB its percent (0..100)
   * @return the split
   * @throws InvalidConfigurationException if a weight is out of range, the sum is not 100 or a == b
   */
  public static TrafficSplit of(Environment a, int weightA, Environment b, int weightB) {
    return builder().put(a, weightA).put(b, weightB).build();
  }

  /**
   * @param weights environment to percent, in display order
   * @return the split
   * @throws InvalidConfigurationException if a weight is out of range or the sum is not 100
   */
  public static TrafficSplit of(Map<Environment, Integer> weights) {
    Checks.notNull(weights, "weights");
    Builder b = builder();
    weights.forEach(b::put);
    return b.build();
  }

  /**
   * All traffic to one environment; the others are listed at 0.
   *
   * @param target the environment that gets 100
   * @param others environments to list at 0 (for display)
   * @return the split
   */
  public static TrafficSplit allTo(Environment target, Environment... others) {
    Builder b = builder();
    for (Environment other : Checks.notNull(others, "others")) {
      b.put(other, 0);
    }
    return b.put(target, 100).build();
  }

  /**
   * The split of a two-environment switch: {@code toWeight} percent on {@code to}, the rest on {@code from}.
   *
   * @param from the environment traffic leaves
   * @param to the environment traffic moves to
   * @param toWeight percent on {@code to}, 0..100
   * @return the split, listed {@code from} first
   */
  public static TrafficSplit between(Environment from, Environment to, int toWeight) {
    return of(from, 100 - toWeight, to, toWeight);
  }

  /**
   * Parses the {@link #toString()} form: {@code "blue=90 green=10"} (spaces or commas between pairs).
   *
   * @param text the split
   * @return the split
   * @throws InvalidConfigurationException if the text is not of that form
   */
  public static TrafficSplit parse(String text) {
    Checks.notBlank(text, "split text");
    Builder b = builder();
    for (String pair : text.trim().split("[\\s,]+")) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new InvalidConfigurationException("cannot parse \"" + Checks.printable(pair)
            + "\" in split \"" + Checks.printable(text) + "\": write pairs like blue=90 green=10");
      }
      int weight;
      try {
        weight = Integer.parseInt(pair.substring(eq + 1));
      } catch (NumberFormatException e) {
        throw new InvalidConfigurationException("weight in \"" + Checks.printable(pair)
            + "\" is not a whole number: write pairs like blue=90 green=10");
      }
      b.put(Environment.of(pair.substring(0, eq)), weight);
    }
    return b.build();
  }

  /** @return a builder that keeps the order environments are put in */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param environment an environment
   * @return its percent, 0 if it is not part of this split
   */
  public int weightOf(Environment environment) {
    return weights.getOrDefault(environment, 0);
  }

  /** @return the environments in display order, including those at 0 */
  public List<Environment> environments() {
    return List.copyOf(weights.keySet());
  }

  /** @return the environments with a weight above 0 */
  public List<Environment> receiving() {
    return weights.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).collect(Collectors.toUnmodifiableList());
  }

  /** @return environment to percent in display order (unmodifiable) */
  public Map<Environment, Integer> asMap() {
    return weights;
  }

  /** @return the environment that receives all traffic, if one does */
  public Optional<Environment> soleTarget() {
    return weights.entrySet().stream().filter(e -> e.getValue() == 100).map(Map.Entry::getKey).findFirst();
  }

  /** @return whether all traffic goes to a single environment (what an atomic-only router can express) */
  public boolean isAtomic() {
    return soleTarget().isPresent();
  }

  /**
   * A copy listing every given environment (at 0 when absent) in the given order, then any others.
   *
   * @param order environments in the wanted display order
   * @return the same split, reordered for display
   */
  public TrafficSplit orderedAs(List<Environment> order) {
    Map<Environment, Integer> m = new LinkedHashMap<>();
    for (Environment e : order) {
      m.put(e, weightOf(e));
    }
    weights.forEach(m::putIfAbsent);
    return new TrafficSplit(m);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TrafficSplit other)) {
      return false;
    }
    return nonZero().equals(other.nonZero());
  }

  private Map<Environment, Integer> nonZero() {
    return weights.entrySet().stream().filter(e -> e.getValue() != 0)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  @Override
  public int hashCode() {
    return nonZero().hashCode();
  }

  /** @return {@code "blue=90 green=10"} */
  @Override
  public String toString() {
    return weights.entrySet().stream().map(e -> e.getKey().name() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }

  /**
   * Builds a {@link TrafficSplit}.
   *
   * <pre>{@code
   * TrafficSplit s = TrafficSplit.builder().put(blue, 75).put(green, 25).build();
   * }</pre>
   */
  public static final class Builder {
    private final Map<Environment, Integer> weights = new LinkedHashMap<>();

    private Builder() {
    }

    /**
     * @param environment the environment
     * @param percent its share, 0..100
     * @return this builder
     */
    public Builder put(Environment environment, int percent) {
      Checks.notNull(environment, "environment");
      if (percent < 0 || percent > 100) {
        throw new InvalidConfigurationException("weight of " + environment.name() + " is " + percent
            + ": weights are whole percents from 0 to 100");
      }
      if (weights.containsKey(environment)) {
        throw new InvalidConfigurationException("environment " + environment.name()
            + " appears twice in one split: give each environment one weight");
      }
      weights.put(environment, percent);
      return this;
    }

    /** @return the split */
    public TrafficSplit build() {
      if (weights.isEmpty()) {
        throw new InvalidConfigurationException("a split needs at least one environment: e.g. blue=100 or blue=90 green=10");
      }
      int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
      if (sum != 100) {
        TrafficSplit shown = new TrafficSplit(new LinkedHashMap<>(weights));
        throw new InvalidConfigurationException("weights must sum to 100 but " + shown + " sums to " + sum
            + ": adjust them so they add up to 100");
      }
      return new TrafficSplit(new LinkedHashMap<>(weights));
    }
  }
}
