package io.bluegreen.examples.demo;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import java.util.Optional;

/**
 * The demo proxy's preview route: a header rule on the {@link WeightedProxy} that sends requests
 * carrying {@code X-Preview: <value>} to the target environment while every other request follows the
 * weights — what an ALB listener rule or an HTTPRoute header match does in production. The library's
 * plan opens it before the switch and closes it when it ends.
 *
 * <pre>{@code
 * SwitchPlan.builder().router(new ProxyRouter(proxy, blue, green)).from(blue).to(green)
 *     .preview(new ProxyPreviewRoute(proxy, "X-Preview", "let-me-see-green"))
 *     .previewGate(PreviewHttpGate.builder("/").bodyContains("hello from green").build())
 *     .build().execute();
 * }</pre>
 */
public final class ProxyPreviewRoute implements PreviewRoute {

  private final WeightedProxy proxy;
  private final String header;
  private final String value;

  /**
   * @param proxy the proxy
   * @param header the header that selects the preview
   * @param value its value (never printed)
   */
  public ProxyPreviewRoute(WeightedProxy proxy, String header, String value) {
    this.proxy = proxy;
    this.header = PreviewEndpoint.checkHeaderName(header, "preview header name");
    this.value = PreviewEndpoint.checkHeaderValue(value, "preview header value");
  }

  @Override
  public String describe() {
    return "proxy preview rule (header " + header + ") at " + proxy.uri();
  }

  @Override
  public void validate(Environment environment) {
    if (!proxy.backendNames().contains(environment.name())) {
      throw new InvalidConfigurationException("the proxy has no backend named " + environment.name() + ": it has " + proxy.backendNames());
    }
  }

  @Override
  public PreviewEndpoint preflight(PreviewRequest request) {
    Optional<WeightedProxy.PreviewRule> open = proxy.preview();
    if (open.isPresent() && !open.get().header().equalsIgnoreCase(header)) {
      throw new PreflightException("the proxy has another preview rule open (" + open.get() + ") that this plan did not make");
    }
    return endpoint(request.environment());
  }

  @Override
  public PreviewEndpoint open(PreviewRequest request) {
    Optional<WeightedProxy.PreviewRule> open = proxy.preview();
    WeightedProxy.PreviewRule wanted = new WeightedProxy.PreviewRule(header, value, request.environment().name(), request.owner());
    if (!open.equals(Optional.of(wanted))) {
      proxy.openPreview(wanted);
    }
    return endpoint(request.environment());
  }

  @Override
  public Optional<String> close(PreviewRequest request) {
    return proxy.closePreview().map(WeightedProxy.PreviewRule::toString);
  }

  private PreviewEndpoint endpoint(Environment environment) {
    return PreviewEndpoint.builder(environment, "proxy header rule " + header + " -> " + environment.name()).url(proxy.uri())
        .header(header, value).build();
  }

  @Override
  public String toString() {
    return describe();
  }
}
