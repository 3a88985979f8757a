package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.benchmarks.Flags.Flag;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagsTest {

  private static final Flag[] ENGINE = {Flags.flag("--latency-ms", 50, "latency"), Flags.flag("--runs", 20, "runs")};

  @Test
  void defaultsAndGivenValues() {
    assertThat(Flags.parse(new String[0], ENGINE)).isEqualTo(Map.of("--latency-ms", 50, "--runs", 20));
    assertThat(Flags.parse(new String[] {"--runs", "3", "--latency-ms=7"}, ENGINE)).isEqualTo(Map.of("--latency-ms", 7, "--runs", 3));
  }

  @Test
  void aMisspelledFlagIsRejectedWithTheFlagItProbablyMeant() {
    assertThatThrownBy(() -> Flags.parse(new String[] {"--latncy-ms", "10"}, ENGINE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown argument \"--latncy-ms\": use --latency-ms, --runs (did you mean --latency-ms?)");
  }

  @Test
  void anUnknownOrPositionalArgumentIsRejected() {
    assertThatThrownBy(() -> Flags.parse(new String[] {"10"}, ENGINE)).hasMessageStartingWith("unknown argument \"10\": use --latency-ms, --runs");
    assertThatThrownBy(() -> Flags.parse(new String[] {"--threads", "4"}, ENGINE)).hasMessageContaining("unknown argument \"--threads\"");
  }

  @Test
  void aMissingOrBadValueIsRejected() {
    assertThatThrownBy(() -> Flags.parse(new String[] {"--runs"}, ENGINE)).hasMessage("--runs needs a value, e.g. --runs 20");
    assertThatThrownBy(() -> Flags.parse(new String[] {"--runs", "many"}, ENGINE))
        .hasMessage("--runs many is not a whole number of 0 or more: pass e.g. --runs 20");
    assertThatThrownBy(() -> Flags.parse(new String[] {"--runs", "-1"}, ENGINE)).hasMessageContaining("not a whole number of 0 or more");
  }

  @Test
  void usageListsEveryFlagWithItsDefault() {
    assertThat(Flags.usage("engine", ENGINE)).startsWith("usage: ./scripts/bench.sh engine [--latency-ms N] [--runs N]")
        .contains("--runs", "runs (default 20)");
  }
}
