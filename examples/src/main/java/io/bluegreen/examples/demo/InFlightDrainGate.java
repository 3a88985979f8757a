package io.bluegreen.examples.demo;

import io.bluegreen.core.GateContext;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import java.util.Map;

/**
 * The demo's drain gate: HEALTHY once the environment that lost its traffic ({@link
 * GateContext#draining()}) serves no request any more — what a gate on an in-flight metric (Prometheus'
 * {@code http_server_active_requests}, ALB's {@code RequestCount}) says in production.
 *
 * <pre>{@code
 * SwitchPlan.builder()...drainGate(new InFlightDrainGate(Map.of("blue", blueServer, "green", greenServer)))
 *     .drainUntil(Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class InFlightDrainGate implements HealthGate {

  private final Map<String, BackendServer> servers;

  /** @param servers environment name to its server */
  public InFlightDrainGate(Map<String, BackendServer> servers) {
    this.servers = Map.copyOf(servers);
  }

  @Override
  public GateResult check(GateContext context) {
    if (context.draining().isEmpty()) {
      return GateResult.inconclusive("nothing is draining: use this gate as a drainGate");
    }
    String env = context.draining().get().name();
    BackendServer server = servers.get(env);
    if (server == null) {
      return GateResult.inconclusive("no server known for " + env);
    }
    int n = server.inFlight();
    return n == 0 ? GateResult.healthy(env + " serves no request") : GateResult.unhealthy(n + " request" + (n == 1 ? "" : "s")
        + " still in flight on " + env);
  }

  @Override
  public String name() {
    return "in-flight requests";
  }
}
