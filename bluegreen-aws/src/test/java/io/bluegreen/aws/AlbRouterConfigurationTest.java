package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.support.AwsClients;
import io.bluegreen.aws.support.RequestCounter;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.TrafficSplit;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/** Every bad setting is rejected by the builders, before any AWS call, with a message that says what to fix. */
class AlbRouterConfigurationTest {

  private static final String PREFIX = "arn:aws:elasticloadbalancing:us-east-1:123456789012:";
  private static final String LISTENER = PREFIX + "listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2";
  private static final String RULE = PREFIX + "listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";
  private static final String BLUE = PREFIX + "targetgroup/shop-blue/73e2d6bc24d8a067";
  private static final String GREEN = PREFIX + "targetgroup/shop-green/2453ed029918f21f";

  private final RequestCounter counter = new RequestCounter();
  private final ElasticLoadBalancingV2Client elb = AwsClients.elb(URI.create("http://127.0.0.1:9"), counter);

  @AfterEach
  void noCallWasMade() {
    assertThat(counter.total()).as("configuration checks must not call AWS").isZero();
    elb.close();
  }

  private AlbListenerRouter.Builder listener() {
    return AlbListenerRouter.builder(elb).listenerArn(LISTENER);
  }

  @Test
  void aValidRouterDescribesItselfWithoutCalls() {
    AlbListenerRouter router = listener().environment("blue", BLUE).environment("green", GREEN).build();
    assertThat(router.routeId()).isEqualTo("aws/alb/" + LISTENER);
    assertThat(router.environments()).containsExactly(Environment.of("blue"), Environment.of("green"));
    assertThat(router.capabilities().isWeighted()).isTrue();
    assertThat(router.capabilities().granularityPercent()).isEqualTo(1);
    assertThat(router.capabilities().maxEnvironments()).isEqualTo(2);
    assertThat(router.minHealthyTargets()).isEqualTo(1);
    assertThat(router.targetGroups()).containsEntry(Environment.of("green"), GREEN);
    AlbRuleRouter rule = AlbRuleRouter.create(elb, b -> b.ruleArn(RULE).environment("blue", BLUE).environment("green", GREEN));
    assertThat(rule.ruleArn()).isEqualTo(RULE);
    router.validate(TrafficSplit.of(Environment.of("blue"), 1, Environment.of("green"), 99));
  }

  @Test
  void listenerArnsAreChecked() {
    assertThatThrownBy(() -> listener().listenerArn("listener-1")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("expected arn:aws:elasticloadbalancing:<region>:<account>:listener/app/");
    assertThatThrownBy(() -> listener().listenerArn(RULE)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("use AlbRuleRouter");
    assertThatThrownBy(() -> listener().listenerArn(PREFIX + "listener/net/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("Network or Gateway Load Balancer");
    assertThatThrownBy(() -> AlbRuleRouter.builder(elb).ruleArn(LISTENER)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("use AlbListenerRouter");
    assertThatThrownBy(() -> AlbListenerRouter.builder(elb).environment("blue", BLUE).environment("green", GREEN).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("listenerArn is not set");
    assertThatThrownBy(() -> AlbRuleRouter.builder(elb).environment("blue", BLUE).environment("green", GREEN).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("ruleArn is not set");
  }

  @Test
  void targetGroupsAreChecked() {
    assertThatThrownBy(() -> listener().environment("green", LISTENER)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("target group ARN of green").hasMessageContaining("not a target group ARN");
    String otherRegion = BLUE.replace("us-east-1", "eu-west-1");
    assertThatThrownBy(() -> listener().environment("blue", otherRegion).environment("green", GREEN).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("region eu-west-1").hasMessageContaining("own account and region");
    assertThatThrownBy(() -> listener().environment("blue", BLUE).environment("green", BLUE)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("mapped to both blue and green");
    assertThatThrownBy(() -> listener().environment("blue", BLUE).environment("blue", GREEN)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("mapped twice");
    assertThatThrownBy(() -> listener().environment("blue", BLUE).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("at least two environments");
    AlbListenerRouter.Builder six = listener();
    for (int i = 0; i < 6; i++) {
      six.environment("env" + i, PREFIX + "targetgroup/tg" + i + "/73e2d6bc24d8a06" + i);
    }
    assertThatThrownBy(six::build).isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("at most 5");
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> listener().minHealthyTargets(-1)).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("use 1 or more");
    assertThatThrownBy(() -> listener().callTimeout(java.time.Duration.ZERO)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> AlbListenerRouter.builder(null)).isInstanceOf(InvalidConfigurationException.class);
  }

  @Test
  void aClientForAnotherRegionIsRejected() {
    try (ElasticLoadBalancingV2Client west = ElasticLoadBalancingV2Client.builder().region(Region.EU_WEST_1)
        .endpointOverride(URI.create("http://127.0.0.1:9"))
        .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("a", "b")).build()) {
      assertThatThrownBy(() -> AlbListenerRouter.builder(west).listenerArn(LISTENER).environment("blue", BLUE).environment("green", GREEN).build())
          .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("configured for region eu-west-1")
          .hasMessageContaining("Region.of(\"us-east-1\")");
    }
  }

  @Test
  void splitsTheRouterCannotExpressAreRejected() {
    AlbListenerRouter router = listener().environment("blue", BLUE).environment("green", GREEN).build();
    assertThatThrownBy(() -> router.apply(TrafficSplit.of(Environment.of("blue"), 50, Environment.of("red"), 50)))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("red");
  }
}
