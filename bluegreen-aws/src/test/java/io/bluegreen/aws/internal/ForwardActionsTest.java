package io.bluegreen.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.TrafficSplit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;

/** Reading weights as percents and rebuilding action lists, without a backend. */
class ForwardActionsTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");
  private static final Map<String, Environment> BY_ARN = Map.of("tg-blue", BLUE, "tg-green", GREEN);
  private static final List<Environment> ORDER = List.of(BLUE, GREEN);

  private static List<Action> forward(Integer blue, Integer green, String... extra) {
    var groups = new java.util.ArrayList<TargetGroupTuple>();
    groups.add(TargetGroupTuple.builder().targetGroupArn("tg-blue").weight(blue).build());
    groups.add(TargetGroupTuple.builder().targetGroupArn("tg-green").weight(green).build());
    for (String e : extra) {
      groups.add(TargetGroupTuple.builder().targetGroupArn(e).weight(0).build());
    }
    return List.of(Action.builder().type(ActionTypeEnum.FORWARD).forwardConfig(f -> f.targetGroups(groups)).build());
  }

  private static TrafficSplit read(List<Action> actions) {
    return ForwardActions.split(ForwardActions.find(actions, "test"), BY_ARN, ORDER, "test");
  }

  @Test
  void weightsNotSummingTo100AreReadProportionally() {
    assertThat(read(forward(1, 1))).isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    assertThat(read(forward(1, 2))).isEqualTo(TrafficSplit.of(BLUE, 33, GREEN, 67));
    assertThat(read(forward(999, 0))).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(read(forward(null, null))).as("a missing weight counts as 1").isEqualTo(TrafficSplit.of(BLUE, 50, GREEN, 50));
    assertThat(read(forward(90, 10))).isEqualTo(TrafficSplit.of(BLUE, 90, GREEN, 10));
  }

  @Test
  void allZeroWeightsAndNoForwardArePermanentFailures() {
    assertThatThrownBy(() -> read(forward(0, 0))).isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("every target group has weight 0");
    List<Action> fixed = List.of(Action.builder().type(ActionTypeEnum.FIXED_RESPONSE).fixedResponseConfig(f -> f.statusCode("503")).build());
    assertThatThrownBy(() -> ForwardActions.find(fixed, "listener x")).isInstanceOf(RouterException.class)
        .hasMessageContaining("no forward action").hasMessageContaining("fixed-response");
  }

  @Test
  void rebuildChangesOnlyManagedWeightsAndRefusesMoreThanFiveGroups() {
    Map<Environment, String> arns = new LinkedHashMap<>();
    arns.put(BLUE, "tg-blue");
    arns.put(GREEN, "tg-green");
    List<Action> actions = forward(100, 0, "tg-x");
    ForwardActions.Forward f = ForwardActions.find(actions, "test");
    List<Action> rebuilt = ForwardActions.rebuild(actions, f, TrafficSplit.of(BLUE, 40, GREEN, 60), arns, "test");
    assertThat(rebuilt.get(0).forwardConfig().targetGroups()).extracting(TargetGroupTuple::targetGroupArn, TargetGroupTuple::weight)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("tg-blue", 40), org.assertj.core.groups.Tuple.tuple("tg-green", 60),
            org.assertj.core.groups.Tuple.tuple("tg-x", 0));

    List<TargetGroupTuple> five = java.util.stream.Stream.of("tg-blue", "tg-a", "tg-b", "tg-c", "tg-d")
        .map(arn -> TargetGroupTuple.builder().targetGroupArn(arn).weight(arn.equals("tg-blue") ? 100 : 0).build()).toList();
    List<Action> crowded = List.of(Action.builder().type(ActionTypeEnum.FORWARD).forwardConfig(c -> c.targetGroups(five)).build());
    ForwardActions.Forward full = ForwardActions.find(crowded, "test");
    assertThat(ForwardActions.split(full, BY_ARN, ORDER, "test")).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThatThrownBy(() -> ForwardActions.rebuild(crowded, full, TrafficSplit.of(BLUE, 90, GREEN, 10), arns, "listener y"))
        .isInstanceOf(RouterException.class).hasMessageContaining("would name 6 target groups").hasMessageContaining("at most 5");
  }
}
