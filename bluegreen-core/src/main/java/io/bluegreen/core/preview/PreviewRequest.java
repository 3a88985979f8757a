package io.bluegreen.core.preview;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;

/**
 * What a {@link PreviewRoute} is asked to open, check or close: which environment to preview, which
 * one serves production meanwhile, and who asks (the plan, the route and the plan's owner in the
 * route lock, which a preview route records on what it creates so that a later run can tell its own
 * leftovers apart and say whose they were). Immutable.
 *
 * <pre>{@code
 * PreviewRequest request = PreviewRequest.of("checkout 2.0", router.routeId(), "pipeline-42@build-7", green, blue);
 * PreviewEndpoint endpoint = previewRoute.open(request);
 * }</pre>
 *
 * @param plan the plan's name
 * @param routeId the production route's id (the route lock's key)
 * @param owner the plan's identity in the route lock
 * @param environment the environment to preview (the plan's target)
 * @param production the environment production traffic stays on while the preview is open
 */
public record PreviewRequest(String plan, String routeId, String owner, Environment environment, Environment production) {

  /** Checks every field. */
  public PreviewRequest {
    Checks.notBlank(plan, "plan");
    Checks.notBlank(routeId, "routeId");
    Checks.notBlank(owner, "owner");
    Checks.notNull(environment, "environment");
    Checks.notNull(production, "production");
    if (environment.equals(production)) {
      throw new InvalidConfigurationException("the preview environment and the production environment are both " + environment.name()
          + ": preview the environment traffic is about to move to");
    }
  }

  /**
   * @param plan the plan's name
   * @param routeId the production route's id
   * @param owner the plan's identity in the route lock
   * @param environment the environment to preview
   * @param production the environment production traffic stays on
   * @return the request
   */
  public static PreviewRequest of(String plan, String routeId, String owner, Environment environment, Environment production) {
    return new PreviewRequest(plan, routeId, owner, environment, production);
  }
}
