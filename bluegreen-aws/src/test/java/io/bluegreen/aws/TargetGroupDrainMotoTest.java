package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Environment;
import io.bluegreen.core.drain.DrainEstimate;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link TargetGroupDrain} reads the target groups' deregistration delay and stickiness on moto's ELBv2. */
class TargetGroupDrainMotoTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  @Test
  void theWindowIsTheStickinessDurationPlusTheDeregistrationDelayOrTheDelayAlone() {
    try (MotoAlb alb = MotoAlb.create(MotoAlb.options())) {
      alb.admin.modifyTargetGroupAttributes(r -> r.targetGroupArn(alb.blueTg).attributes(
          a -> a.key("deregistration_delay.timeout_seconds").value("45"), a -> a.key("stickiness.enabled").value("true"),
          a -> a.key("stickiness.type").value("lb_cookie"), a -> a.key("stickiness.lb_cookie.duration_seconds").value("120")));
      TargetGroupDrain drain = TargetGroupDrain.of(alb.elb, AlbPreviewRuleMotoTest.listenerRouter(alb));

      DrainEstimate blue = drain.estimate(BLUE);
      DrainEstimate green = drain.estimate(GREEN);

      assertThat(blue.window()).isEqualTo(Duration.ofSeconds(165));
      assertThat(blue.basis()).singleElement().asString().contains("stickiness (lb_cookie) 120 s", "deregistration delay 45 s");
      assertThat(green.window()).as("ALB's default deregistration delay, no stickiness").isEqualTo(Duration.ofSeconds(300));
      assertThat(alb.counter.count("DescribeTargetGroupAttributes")).isEqualTo(2);
      assertThat(alb.counter.writes()).isZero();
    }
  }
}
