package io.bluegreen.examples.demo;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link io.bluegreen.core.Router} of the embedded demo: it moves traffic on a {@link
 * WeightedProxy}, mapping each {@link Environment} to the proxy backend of the same name. It only
 * reads and writes weights; the {@link io.bluegreen.core.SwitchPlan} does the staging, gating and
 * rollback.
 *
 * <pre>{@code
 * Router router = new ProxyRouter(proxy, Environment.of("blue"), Environment.of("green"));
 * router.current();                                  // blue=100 green=0, read from the proxy
 * router.apply(TrafficSplit.of(blue, 90, green, 10)); // one atomic weight swap
 * router.verify(TrafficSplit.of(blue, 90, green, 10)).isVerified(); // true
 * }</pre>
 */
public final class ProxyRouter implements Router {

  private final WeightedProxy proxy;
  private final List<Environment> environments;

  /**
   * @param proxy the proxy to steer
   * @param environments the environments, each named like one of the proxy's backends
   * @throws InvalidConfigurationException if an environment has no backend of its name
   */
  public ProxyRouter(WeightedProxy proxy, Environment... environments) {
    this.proxy = proxy;
    this.environments = List.of(environments);
    for (Environment e : this.environments) {
      if (!proxy.backendNames().contains(e.name())) {
        throw new InvalidConfigurationException("the proxy has no backend named " + e.name() + ": it has " + proxy.backendNames());
      }
    }
  }

  @Override
  public String routeId() {
    return "proxy/" + proxy.uri().getAuthority();
  }

  @Override
  public List<Environment> environments() {
    return environments;
  }

  @Override
  public RouterCapabilities capabilities() {
    return RouterCapabilities.weighted();
  }

  @Override
  public TrafficSplit current() {
    Map<String, Integer> weights = proxy.weights();
    TrafficSplit.Builder split = TrafficSplit.builder();
    for (Environment e : environments) {
      split.put(e, weights.getOrDefault(e.name(), 0));
    }
    try {
      return split.build();
    } catch (InvalidConfigurationException e) {
      throw RouterException.permanentFailure("the proxy holds weights " + weights + " that are not percents of "
          + environments + ": set them to percents summing to 100 first", e);
    }
  }

  @Override
  public void apply(TrafficSplit target) {
    validate(target);
    if (target.equals(current())) {
      return;
    }
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (Environment e : environments) {
      weights.put(e.name(), target.weightOf(e));
    }
    proxy.setWeights(weights);
  }

  @Override
  public Verification verify(TrafficSplit expected) {
    return Verification.compare(expected, current());
  }

  @Override
  public String toString() {
    return routeId();
  }
}
