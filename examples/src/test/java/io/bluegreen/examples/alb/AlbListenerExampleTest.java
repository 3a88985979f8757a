package io.bluegreen.examples.alb;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.Outcome;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.examples.Captured;
import io.bluegreen.testkit.ExternalPeer;
import io.bluegreen.testkit.VirtualClock;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/** Runs the ALB example against the in-process ELBv2 fake (always) and moto server (when BLUEGREEN_MOTO_ENDPOINT is set). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AlbListenerExampleTest {

  @Test
  void shiftsTheListenerToGreenInFiveStagesOnTheInProcessFake() {
    Captured output = new Captured();
    try (FakeAlb alb = FakeAlb.start(); ElasticLoadBalancingV2Client elb = AlbListenerExample.localClient(alb.endpoint())) {

      SwitchResult result = AlbListenerExample.run(elb, FakeAlb.LISTENER, FakeAlb.BLUE, FakeAlb.GREEN, VirtualClock.create(), output.out());

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(alb.weights()).as("the listener's forward weights, read from the fake").isEqualTo(Map.of(FakeAlb.BLUE, 0, FakeAlb.GREEN, 100));
      assertThat(alb.requests("ModifyListener")).as("one write per stage").isEqualTo(5);
      assertThat(alb.requests("DescribeTargetHealth")).as("the TargetHealthGate and the preflight read target health").isGreaterThan(5);
    }
    assertThat(output.text()).contains("stage 1/5  blue=90 green=10", "stage 2/5  blue=70 green=30", "stage 3/5  blue=50 green=50",
        "stage 4/5  blue=25 green=75", "stage 5/5  blue=0 green=100", "gate checks HEALTHY", "COMPLETED",
        "listener forwards: blue=0 green=100");
  }

  @Test
  void theMainMethodsLocalRunCompletes() {
    Captured output = new Captured();
    SwitchResult result = AlbListenerExample.runLocally(null, output.out());
    assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(output.text()).contains("in-process ELBv2 fake", "listener forwards: blue=0 green=100");
  }

  @Test
  void shiftsTheListenerToGreenOnMotoServer() {
    URI moto = ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
    Captured output = new Captured();
    try (MotoAlb alb = MotoAlb.create(moto)) {

      SwitchResult result = AlbListenerExample.run(alb.elb(), alb.listenerArn(), alb.blueTg(), alb.greenTg(), VirtualClock.create(),
          output.out());

      assertThat(result.outcome()).as(result.summary()).isEqualTo(Outcome.COMPLETED);
      assertThat(AlbListenerExample.forwardWeights(alb.elb(), alb.listenerArn(), alb.blueTg(), alb.greenTg()))
          .as("read back from moto").isEqualTo("blue=0 green=100");
      assertThat(result.writes()).isEqualTo(5);
    }
    assertThat(output.text()).contains("stage 5/5  blue=0 green=100");
  }
}
