package io.bluegreen.core.preview;

import io.bluegreen.core.Environment;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import java.util.Optional;

/**
 * The extension point for testing an environment through the production front door before the
 * switch: a route on the same load balancer, Ingress, Gateway or DNS zone that sends only requests
 * carrying a header (or a host name) to the new environment, while every other request keeps going
 * where production goes. The plan opens it after its preflight and before its pre-switch gates, runs
 * the preview gates against it, and closes it when it ends, whatever the outcome.
 *
 * <h2>The contract</h2>
 * <ul>
 *   <li>{@link #preflight(PreviewRequest)} is read-only and refuses, with a {@link PreflightException}
 *       that says what to fix, whatever would make {@link #open} fail or reach the wrong place: a
 *       header or host the backend would reject, a priority or name already taken by someone else, a
 *       preview host equal to the production host, a full listener. A preview left behind by an earlier
 *       run of the same route is not a conflict: {@link #close} removes it first.</li>
 *   <li>{@link #open(PreviewRequest)} creates the preview (one write where the backend allows) and marks
 *       what it creates with the request's route and owner. It never changes what production traffic
 *       reads or gets: the router's {@code current()} is the same before and after.</li>
 *   <li>{@link #pending(PreviewRequest)} says whether the backend serves the preview yet (Route 53:
 *       the change is not INSYNC); the plan polls it, bounded by its verify timeout.</li>
 *   <li>{@link #close(PreviewRequest)} removes the route's preview, whoever opened it (the plan holds
 *       the route lock, so any preview it finds was left by a run that is gone), and says what it
 *       removed; with nothing there it writes nothing. Idempotent.</li>
 *   <li>Failures are {@link RouterException}s marked transient or permanent; the plan retries the
 *       transient ones with its retry policies (closing with the rollback policy).</li>
 * </ul>
 *
 * <pre>{@code
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(AlbPreviewRule.builder(elb, router).header("X-Preview", token).build())   // bluegreen-aws
 *     .previewGate(PreviewHttpGate.path("/health"))                                      // through the ALB, with the header
 *     .previewGate(HealthGate.of("smoke", ctx -> smokeTests.run(ctx.preview().orElseThrow())))
 *     .schedule(StageSchedule.targetWeights(Duration.ofMinutes(5), 10, 50, 100))
 *     .build().execute();
 * }</pre>
 */
public interface PreviewRoute {

  /**
   * @return what this preview route is, for events and logs, e.g. {@code "ALB listener rule (header X-Preview) on listener/app/shop/..."}
   */
  String describe();

  /**
   * A configuration-only check, made by {@code SwitchPlan.Builder.build()}: the preview route can
   * send requests to {@code environment}. No backend call.
   *
   * @param environment the plan's target
   * @throws io.bluegreen.core.InvalidConfigurationException if it cannot
   */
  default void validate(Environment environment) {
  }

  /**
   * Read-only checks before anything is written.
   *
   * @param request what would be opened
   * @return the endpoint {@link #open} would create
   * @throws PreflightException if opening would fail or reach the wrong place; nothing is written
   * @throws RouterException if the backend cannot be read
   */
  PreviewEndpoint preflight(PreviewRequest request);

  /**
   * Creates the preview.
   *
   * @param request what to open
   * @return how to reach the previewed environment
   * @throws RouterException if the write fails
   */
  PreviewEndpoint open(PreviewRequest request);

  /**
   * @param request what was opened
   * @return why the backend does not serve the preview yet, or empty when it does (the default)
   * @throws RouterException if the backend cannot be read
   */
  default Optional<String> pending(PreviewRequest request) {
    return Optional.empty();
  }

  /**
   * Removes the route's preview, whoever opened it; writes nothing when there is none.
   *
   * @param request the route and the plan asking
   * @return what was removed (e.g. "listener rule at priority 7, opened by pipeline-41@build-3"), or empty if there was nothing
   * @throws RouterException if the removal fails
   */
  Optional<String> close(PreviewRequest request);
}
