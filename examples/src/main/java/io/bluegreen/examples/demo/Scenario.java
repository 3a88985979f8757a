package io.bluegreen.examples.demo;

import io.bluegreen.core.Outcome;

/**
 * The two scenarios of the embedded demo.
 *
 * <pre>{@code
 * EmbeddedDemo.run(DemoOptions.parse("--scenario", "2"), System.out); // only GREEN_BREAKS
 * }</pre>
 */
public enum Scenario {

  /** Blue to green in stages 10, 25, 50, 100 under load, every gate healthy: COMPLETED, zero failed requests. */
  STAGED_SWITCH(1, "staged switch blue -> green under load", Outcome.COMPLETED),

  /** Green starts failing during the bake of stage 2: the gate catches it and the plan rolls back: ROLLED_BACK. */
  GREEN_BREAKS(2, "green breaks during stage 2, automatic rollback", Outcome.ROLLED_BACK);

  private final int number;
  private final String title;
  private final Outcome expected;

  Scenario(int number, String title, Outcome expected) {
    this.number = number;
    this.title = title;
    this.expected = expected;
  }

  /** @return 1 or 2, as on the command line */
  public int number() {
    return number;
  }

  /** @return a one-line description */
  public String title() {
    return title;
  }

  /** @return how the plan must end for the scenario to pass */
  public Outcome expectedOutcome() {
    return expected;
  }

  /**
   * @param number 1 or 2
   * @return the scenario
   * @throws IllegalArgumentException for any other number
   */
  public static Scenario ofNumber(int number) {
    for (Scenario s : values()) {
      if (s.number == number) {
        return s;
      }
    }
    throw new IllegalArgumentException("there is no scenario " + number + ": use 1, 2 or all");
  }
}
