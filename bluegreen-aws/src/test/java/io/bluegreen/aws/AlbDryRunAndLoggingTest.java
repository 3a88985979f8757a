package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.support.FakeElb;
import io.bluegreen.core.DryRunReport;
import io.bluegreen.core.Environment;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.WriteDescription;
import io.bluegreen.testkit.LogCapture;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * The ALB routers' rough edges (issue 11 §3): the dry run shows the target group ARNs each write
 * sets and what it keeps; writes are logged under the public router class, not an internal one; a
 * missing target group fails the dry run with a PreflightException.
 */
class AlbDryRunAndLoggingTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private FakeElb elb;
  private ElasticLoadBalancingV2Client client;

  @BeforeEach
  void start() {
    elb = FakeElb.start();
    client = elb.client();
  }

  @AfterEach
  void stop() {
    client.close();
    elb.close();
  }

  private SwitchPlan.Builder plan(AlbForwardRouter router) {
    VirtualClock clock = VirtualClock.create();
    return SwitchPlan.builder().name("alb").router(router).from(BLUE).to(GREEN).schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 10, 100))
        .waitForClientConvergence(false).clock(clock).sleeper(clock);
  }

  @Test
  void theDryRunShowsTheTargetGroupWeightsEachWriteSetsAndWhatItKeeps() {
    AlbListenerRouter router = AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE, FakeElb.BLUE)
        .environment(GREEN, FakeElb.GREEN).build();

    DryRunReport report = plan(router).build().dryRun();

    WriteDescription first = report.writes().get(0).description().orElseThrow();
    assertThat(first.touches()).isEqualTo("ModifyListener listener " + FakeElb.LISTENER + ": forward action weights "
        + FakeElb.BLUE + "=90, " + FakeElb.GREEN + "=10");
    assertThat(first.keeps()).containsExactly("the other action as read: authenticate-oidc (order 1)", "the order of the actions",
        "group stickiness (3600 s)");
    assertThat(report.writes().get(1).description().orElseThrow().touches()).endsWith(FakeElb.BLUE + "=0, " + FakeElb.GREEN + "=100");
    assertThat(report.describe()).contains("    touches: ModifyListener listener " + FakeElb.LISTENER);
    assertThat(elb.counter.writes()).as("a dry run writes nothing").isZero();
  }

  @Test
  void aRuleRoutersDryRunNamesModifyRule() {
    AlbRuleRouter router = AlbRuleRouter.builder(client).ruleArn(FakeElb.RULE).environment(BLUE, FakeElb.BLUE).environment(GREEN, FakeElb.GREEN)
        .build();
    assertThat(plan(router).build().dryRun().writes().get(0).description().orElseThrow().touches())
        .startsWith("ModifyRule listener rule " + FakeElb.RULE + ": forward action weights");
  }

  @Test
  void writesAreLoggedUnderThePublicRouterClassNotAnInternalOne() {
    AlbListenerRouter router = AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE, FakeElb.BLUE)
        .environment(GREEN, FakeElb.GREEN).build();
    try (LogCapture logs = LogCapture.start()) {
      SwitchResult result = plan(router).build().execute();
      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(logs.lines(AlbListenerRouter.class.getName(), Level.INFO)).hasSize(2)
          .allSatisfy(l -> assertThat(l.message()).startsWith("ModifyListener listener " + FakeElb.LISTENER));
      assertThat(logs.lines()).filteredOn(l -> l.logger().startsWith("io.bluegreen"))
          .allSatisfy(l -> assertThat(l.logger()).doesNotContain(".internal."));
    }
  }

  @Test
  void aMissingTargetGroupFailsTheDryRunWithAPreflightException() {
    String missing = FakeElb.GREEN.replace("2453ed029918f21f", "0000000000000000");
    AlbListenerRouter router = AlbListenerRouter.builder(client).listenerArn(FakeElb.LISTENER).environment(BLUE, FakeElb.BLUE)
        .environment(GREEN, missing).build();
    assertThatThrownBy(() -> plan(router).build().dryRun()).isInstanceOf(PreflightException.class).hasMessageContaining("does not exist");
  }
}
