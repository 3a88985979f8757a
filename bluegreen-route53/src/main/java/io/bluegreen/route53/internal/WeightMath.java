package io.bluegreen.route53.internal;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Percent to Route 53 weight and back.
 *
 * <p>Writing: a percent is written as the same number (0..100, inside Route 53's 0..255), so a
 * split written by this library reads back exactly. Reading: Route 53 sends each record
 * {@code weight / sum of weights} of the queries, which is turned into whole percents by the
 * largest-remainder method, never showing a record that gets queries as 0%. All-zero weights mean
 * "spread equally" to Route 53 and are read that way; they are never written.
 *
 * <pre>{@code
 * WeightMath.toRecordWeights(TrafficSplit.of(blue, 90, green, 10), List.of(blue, green)); // {blue=90, green=10}
 * WeightMath.toSplit(Map.of(blue, 200L, green, 55L));                                   // blue=78 green=22
 * }</pre>
 */
public final class WeightMath {

  /** Route 53's largest weight. */
  public static final long MAX_WEIGHT = 255;

  private WeightMath() {
  }

  /**
   * @param split the split to write
   * @param environments every environment of the record group, in order
   * @return environment to Route 53 weight
   * @throws InvalidConfigurationException if every weight would be 0
   */
  public static Map<Environment, Long> toRecordWeights(TrafficSplit split, List<Environment> environments) {
    Map<Environment, Long> weights = new LinkedHashMap<>();
    for (Environment e : environments) {
      weights.put(e, (long) split.weightOf(e));
    }
    return checkWritable(weights);
  }

  /**
   * The guard every write goes through: Route 53 reads all-zero weights as "equal spread", so
   * writing them would send traffic everywhere.
   *
   * @param weights environment to Route 53 weight
   * @return the same weights
   * @throws InvalidConfigurationException if all are 0 or one is outside 0..255
   */
  public static Map<Environment, Long> checkWritable(Map<Environment, Long> weights) {
    long sum = 0;
    for (var e : weights.entrySet()) {
      long w = e.getValue();
      if (w < 0 || w > MAX_WEIGHT) {
        throw new InvalidConfigurationException("Route 53 weight " + w + " for " + e.getKey().name()
            + " is out of range: weights are 0 to 255");
      }
      sum += w;
    }
    if (sum == 0) {
      throw new InvalidConfigurationException("refusing to write weight 0 on every record of " + weights.keySet()
          + ": Route 53 treats all-zero weights as an equal spread over all records; give at least one environment a weight above 0");
    }
    return weights;
  }

  /**
   * @param weights environment to Route 53 weight, in display order (0..255 each)
   * @return the share of each, in whole percents summing to 100
   */
  public static TrafficSplit toSplit(Map<Environment, Long> weights) {
    if (weights.isEmpty()) {
      throw new IllegalArgumentException("no weights");
    }
    List<Environment> envs = new ArrayList<>(weights.keySet());
    long[] w = new long[envs.size()];
    long total = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] = weights.get(envs.get(i));
      total += w[i];
    }
    if (total == 0) { // Route 53: all zero = equal probability
      java.util.Arrays.fill(w, 1);
      total = w.length;
    }
    int[] pct = new int[w.length];
    long[] rem = new long[w.length];
    int assigned = 0;
    for (int i = 0; i < w.length; i++) {
      pct[i] = (int) (w[i] * 100 / total);
      rem[i] = w[i] * 100 % total;
      assigned += pct[i];
    }
    for (int left = 100 - assigned; left > 0; left--) {
      int best = -1;
      for (int i = 0; i < w.length; i++) {
        if (rem[i] > 0 && (best < 0 || rem[i] > rem[best])) {
          best = i;
        }
      }
      pct[best]++;
      rem[best] = 0;
    }
    // a record that gets queries is never shown at 0%: take the point from the largest share
    for (int i = 0; i < w.length; i++) {
      if (w[i] > 0 && pct[i] == 0) {
        int largest = 0;
        for (int j = 1; j < w.length; j++) {
          if (pct[j] > pct[largest]) {
            largest = j;
          }
        }
        pct[largest]--;
        pct[i]++;
      }
    }
    TrafficSplit.Builder b = TrafficSplit.builder();
    for (int i = 0; i < w.length; i++) {
      b.put(envs.get(i), pct[i]);
    }
    return b.build();
  }

  /**
   * @param weights raw weights
   * @return whether writing {@link #toSplit} of them would write the same numbers back
   */
  public static boolean isCanonical(Map<Environment, Long> weights) {
    TrafficSplit s = toSplit(weights);
    for (var e : weights.entrySet()) {
      if (e.getValue() != s.weightOf(e.getKey())) {
        return false;
      }
    }
    return true;
  }
}
