package io.bluegreen.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoOptionsTest {

  @Test
  void defaultsAreFastEightClientsBothScenarios() {
    DemoOptions o = DemoOptions.defaults();
    assertThat(o.scale()).isEqualTo(1.0);
    assertThat(o.clients()).isEqualTo(8);
    assertThat(o.scenarios()).containsExactly(Scenario.STAGED_SWITCH, Scenario.GREEN_BREAKS);
    assertThat(o.report()).isEqualTo(Path.of("target", "demo-report.html"));
    assertThat(o.help()).isFalse();
  }

  @Test
  void parsesEveryFlagInBothForms() {
    DemoOptions o = DemoOptions.parse("--scale", "2.5", "--clients=3", "--scenario", "2", "--report", "x/r.html");
    assertThat(o.scale()).isEqualTo(2.5);
    assertThat(o.clients()).isEqualTo(3);
    assertThat(o.scenarios()).isEqualTo(List.of(Scenario.GREEN_BREAKS));
    assertThat(o.report()).isEqualTo(Path.of("x/r.html"));
    assertThat(DemoOptions.parse("--scale=fast", "--scenario=all").scenarios()).hasSize(2);
    assertThat(DemoOptions.parse("-h").help()).isTrue();
  }

  @Test
  void rejectsBadInputNamingTheFlag() {
    assertThatThrownBy(() -> DemoOptions.parse("--clients", "0")).hasMessageContaining("--clients 0");
    assertThatThrownBy(() -> DemoOptions.parse("--scale", "slowish")).hasMessageContaining("--scale slowish");
    assertThatThrownBy(() -> DemoOptions.parse("--scenario", "3")).hasMessageContaining("scenario 3");
    assertThatThrownBy(() -> DemoOptions.parse("--report")).hasMessageContaining("--report needs a value");
    assertThatThrownBy(() -> DemoOptions.parse("--verbose")).hasMessageContaining("unknown option --verbose");
  }
}
