package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChildProcessTimesTest {

  @Test
  void theChildrensLineIsTheLastAndIsUserPlusSystem() {
    String out = "plan=first stage-ms=1\n0m0.003s 0m0.001s\n0m1.250s 0m0.500s\n";
    assertThat(ChildProcessTimes.childCpuSeconds(out)).isCloseTo(1.75, within(1e-9));
    assertThat(ChildProcessTimes.withoutTimes(out)).isEqualTo("plan=first stage-ms=1");
  }

  @Test
  void minutesAndACommaDecimalPointAreRead() {
    assertThat(ChildProcessTimes.childCpuSeconds("0m0.000s 0m0.000s\n2m3.500s 0m0,250s")).isCloseTo(123.75, within(1e-9));
  }

  @Test
  void outputWithoutTimesIsAnError() {
    assertThatThrownBy(() -> ChildProcessTimes.childCpuSeconds("just one line")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two lines");
    assertThatThrownBy(() -> ChildProcessTimes.childCpuSeconds("hello\n1.2 0.3")).hasMessageContaining("0m1.234s 0m0.056s");
  }

  @Test
  void aRealChildsOutputAndCpuTimesComeBack() throws Exception {
    ChildProcessTimes.Result r = ChildProcessTimes.run(List.of("bash", "-c", "echo hello; echo world"), 1);
    assertThat(r.stdout()).isEqualTo("hello\nworld");
    assertThat(r.cpuSeconds()).isGreaterThanOrEqualTo(0.0);
  }

  @Test
  void aFailingChildIsAnErrorWithItsStderr() {
    assertThatThrownBy(() -> ChildProcessTimes.run(List.of("bash", "-c", "echo broken >&2; exit 3"), 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited 3").hasMessageContaining("broken");
  }
}
