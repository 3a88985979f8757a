package io.bluegreen.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.benchmarks.AwsCliComparison.Options;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsCliComparisonTest {

  private static final Map<String, Integer> LIBRARY =
      Map.of("DescribeListeners", 8, "DescribeTargetGroups", 2, "DescribeTargetHealth", 1, "ModifyListener", 5);

  @Test
  void byDefaultBothComparisonsRunWithFiveRuns() {
    assertThat(Options.parse(new String[0])).isEqualTo(new Options(true, true, 5));
  }

  @Test
  void onlyPicksOneComparisonInEitherSpelling() {
    assertThat(Options.parse(new String[] {"--only", "a", "--runs", "7"})).isEqualTo(new Options(true, false, 7));
    assertThat(Options.parse(new String[] {"--runs=3", "--only=b"})).isEqualTo(new Options(false, true, 3));
    assertThat(Options.parse(new String[] {"--only", "b", "--only", "b"})).isEqualTo(new Options(false, true, 5));
  }

  @Test
  void aBadOnlyValueIsRejectedWithWhatToPass() {
    assertThatThrownBy(() -> Options.parse(new String[] {"--only", "c"})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--only takes a or b").hasMessageContaining("found \"c\"");
    assertThatThrownBy(() -> Options.parse(new String[] {"--runs", "5", "--only"})).hasMessageContaining("found nothing");
    assertThatThrownBy(() -> Options.parse(new String[] {"--only", "a", "--only", "b"})).hasMessageContaining("--only given twice (a and b)");
  }

  @Test
  void otherFlagsGoThroughTheStrictParser() {
    assertThatThrownBy(() -> Options.parse(new String[] {"--rusn", "5"})).hasMessageContaining("did you mean --runs?");
    assertThatThrownBy(() -> Options.parse(new String[] {"--runs", "0"})).hasMessage("--runs 0 measures nothing: pass e.g. --runs 5");
    assertThatThrownBy(() -> Options.parse(new String[] {"a"})).hasMessageStartingWith("unknown argument \"a\"");
  }

  @Test
  void usageNamesOnlyAndRuns() {
    assertThat(Options.usage()).contains("--only a|b", "--runs", "(default 5)");
  }

  @Test
  void theSameWorkLoopMustMakeTheLibrarysRequests() {
    assertThatCode(() -> AwsCliComparison.checkSameRequests(LIBRARY, LIBRARY, Map.copyOf(LIBRARY))).doesNotThrowAnyException();
    Map<String, Integer> oneReadShort = Map.of("DescribeListeners", 7, "DescribeTargetGroups", 2, "DescribeTargetHealth", 1, "ModifyListener", 5);
    assertThatThrownBy(() -> AwsCliComparison.checkSameRequests(LIBRARY, LIBRARY, oneReadShort))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the same-work CLI loop made").hasMessageContaining("DescribeListeners=7")
        .hasMessageContaining("make CliLoops.SAME_WORK_LOOP make the library's calls again");
  }

  @Test
  void theRecordersCountOfTheLibraryMustMatchItsOwn() {
    Map<String, Integer> ownCount = Map.of("DescribeListeners", 9, "DescribeTargetGroups", 2, "DescribeTargetHealth", 1, "ModifyListener", 5);
    assertThatThrownBy(() -> AwsCliComparison.checkSameRequests(LIBRARY, ownCount, LIBRARY))
        .hasMessageContaining("moto's recorder saw").hasMessageContaining("but its SDK counted");
  }

  @Test
  void theSameWorkLoopMakesTheCallsItsCountIsCheckedAgainst() {
    // the loop's text, call by call: what checkSameRequests compares at run time against moto's recorder
    String loop = CliLoops.SAME_WORK_LOOP;
    assertThat(loop).contains("describe-target-groups --target-group-arns \"$blue\"", "describe-target-groups --target-group-arns \"$green\"",
        "describe-target-health --target-group-arn \"$green\"", "for w in 90 70 50 25 0", "elb modify-listener");
    assertThat(CliLoops.SEEDS_LOOP).contains("for w in 90 70 50 25 0").doesNotContain("describe-");
  }
}
