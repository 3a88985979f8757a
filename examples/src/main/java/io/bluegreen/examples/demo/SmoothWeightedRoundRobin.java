package io.bluegreen.examples.demo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round-robin, the algorithm nginx uses for weighted upstreams: each pick adds every
 * backend's weight to its running score, takes the backend with the highest score and subtracts the
 * total weight from it. Deterministic, and evenly spread: in any run of N consecutive picks a backend
 * with weight w (out of a total W) is picked N·w/W times, give or take one. That is why the demo can
 * show the observed share of traffic matching the planned weight to a fraction of a point after a
 * few hundred requests, where random choice would need thousands. Thread-safe; immutable weights.
 *
 * <pre>{@code
 * SmoothWeightedRoundRobin rr = new SmoothWeightedRoundRobin(Map.of("blue", 90, "green", 10));
 * rr.next();   // "blue" nine times out of ten, "green" once, evenly spread
 * }</pre>
 */
public final class SmoothWeightedRoundRobin {

  private final Map<String, Integer> weights;
  private final String[] names;
  private final int[] weight;
  private final int[] score;
  private final int total;

  /**
   * @param weights backend name to weight (non-negative, at least one positive), in display order
   * @throws IllegalArgumentException if a weight is negative or all are zero
   */
  public SmoothWeightedRoundRobin(Map<String, Integer> weights) {
    this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
    List<String> picked = new ArrayList<>();
    int sum = 0;
    for (var e : this.weights.entrySet()) {
      if (e.getValue() < 0) {
        throw new IllegalArgumentException("weight of " + e.getKey() + " is negative: " + e.getValue());
      }
      if (e.getValue() > 0) {
        picked.add(e.getKey());
        sum += e.getValue();
      }
    }
    if (sum == 0) {
      throw new IllegalArgumentException("at least one backend needs a positive weight: " + weights);
    }
    this.names = picked.toArray(new String[0]);
    this.weight = picked.stream().mapToInt(this.weights::get).toArray();
    this.score = new int[names.length];
    this.total = sum;
  }

  /** @return the weights this balancer was built with (unmodifiable, display order) */
  public Map<String, Integer> weights() {
    return weights;
  }

  /** @return the backend for the next request */
  public synchronized String next() {
    int best = 0;
    for (int i = 0; i < names.length; i++) {
      score[i] += weight[i];
      if (score[i] > score[best]) {
        best = i;
      }
    }
    score[best] -= total;
    return names[best];
  }
}
