package io.bluegreen.examples.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a run of the embedded demo produced: one {@link ScenarioResult} per scenario run, the HTML
 * report, and the wall time.
 *
 * <pre>{@code
 * DemoResult result = EmbeddedDemo.run(DemoOptions.defaults(), System.out);
 * if (!result.asExpected()) throw new AssertionError(result.scenarios());
 * }</pre>
 *
 * @param scenarios the scenarios, in the order they ran
 * @param report the HTML report written
 * @param wallTime how long the demo took
 */
public record DemoResult(List<ScenarioResult> scenarios, Path report, Duration wallTime) {

  /**
   * Copies the list.
   *
   * @param scenarios the scenarios, in the order they ran
   * @param report the HTML report written
   * @param wallTime how long the demo took
   */
  public DemoResult {
    scenarios = List.copyOf(scenarios);
  }

  /** @return whether every scenario ended as expected */
  public boolean asExpected() {
    return !scenarios.isEmpty() && scenarios.stream().allMatch(ScenarioResult::asExpected);
  }

  /**
   * @param scenario a scenario
   * @return its result, if it ran
   */
  public java.util.Optional<ScenarioResult> of(Scenario scenario) {
    return scenarios.stream().filter(r -> r.scenario() == scenario).findFirst();
  }
}
