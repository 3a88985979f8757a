package io.bluegreen.core;

import java.util.List;

/**
 * What one write of a router changes, and what it keeps as it is, for {@link SwitchPlan#dryRun()}
 * ({@link Router#describeWrite(TrafficSplit)}): the backend objects the write touches (a Service, a
 * listener's target group weights, record names) and the parts of them it leaves alone.
 *
 * <pre>{@code
 * WriteDescription.of("ModifyListener arn:...:listener/app/shop/...: forward weights shop-blue=90, shop-green=10",
 *     "the authenticate-oidc action", "the order of the 2 actions", "group stickiness (3600 s)");
 * }</pre>
 *
 * @param touches what the write changes, e.g. {@code "update Service shop/app-service: selector version=green"}
 * @param keeps what it leaves as it is (may be empty)
 */
public record WriteDescription(String touches, List<String> keeps) {

  /** Checks and copies; the texts go through {@link Redaction#text(String)}. */
  public WriteDescription {
    touches = Redaction.text(Checks.notBlank(touches, "touches"));
    keeps = Checks.notNull(keeps, "keeps").stream().map(k -> Redaction.text(Checks.notBlank(k, "keeps entry"))).toList();
  }

  /**
   * @param touches what the write changes
   * @param keeps what it leaves as it is
   * @return the description
   */
  public static WriteDescription of(String touches, String... keeps) {
    return new WriteDescription(touches, List.of(Checks.notNull(keeps, "keeps")));
  }

  @Override
  public String toString() {
    return "touches " + touches + (keeps.isEmpty() ? "" : "; keeps " + String.join(", ", keeps));
  }
}
