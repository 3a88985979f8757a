package io.bluegreen.aws.support;

import io.bluegreen.core.Environment;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.testkit.ExternalPeer;
import io.bluegreen.testkit.RouterContractTest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.AuthenticateOidcActionConditionalBehaviorEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.FixedResponseActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ForwardActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Listener;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RuleCondition;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * An ALB set up in moto server through the SDK: a load balancer, a listener, blue and green target
 * groups with healthy targets, optionally a listener rule. Random names, so tests never collide.
 */
public final class MotoAlb implements AutoCloseable {

  private static final Object SETUP = new Object();
  private static String vpcId;
  private static List<String> subnetIds;

  /** What to build. */
  public static final class Options {
    boolean oidc;
    Integer stickinessSeconds;
    boolean legacyForward;
    boolean extraTargetGroup;
    boolean rule;
    int greenTargets = 2;

    /** @return an authenticate-oidc action before the forward */
    public Options oidc() {
      oidc = true;
      return this;
    }

    /** @param seconds target group stickiness on the forward action @return this */
    public Options stickiness(int seconds) {
      stickinessSeconds = seconds;
      return this;
    }

    /** @return forward written in the legacy single TargetGroupArn form, to blue */
    public Options legacyForward() {
      legacyForward = true;
      return this;
    }

    /** @return a third, unmanaged target group at weight 0 in the forward action */
    public Options extraTargetGroup() {
      extraTargetGroup = true;
      return this;
    }

    /** @return the forward lives in a listener rule (the listener's default is a fixed 404) */
    public Options rule() {
      rule = true;
      return this;
    }

    /** @param n healthy targets registered in green @return this */
    public Options greenTargets(int n) {
      greenTargets = n;
      return this;
    }
  }

  public final URI endpoint;
  public final RequestCounter counter = new RequestCounter();
  /** Counted: give this one to the code under test. */
  public final ElasticLoadBalancingV2Client elb;
  /** Not counted: for setting up and inspecting. */
  public final ElasticLoadBalancingV2Client admin;
  public final String loadBalancerArn;
  public final String listenerArn;
  public final String ruleArn;
  public final String blueTg;
  public final String greenTg;
  public final String extraTg;

  /** @return the moto endpoint, or skip (fail on CI) when moto is not running */
  public static URI endpoint() {
    return ExternalPeer.require("BLUEGREEN_MOTO_ENDPOINT", "moto server", "run ./scripts/test.sh");
  }

  /** @return options */
  public static Options options() {
    return new Options();
  }

  /** @param options what to build @return the setup */
  public static MotoAlb create(Options options) {
    return new MotoAlb(endpoint(), options);
  }

  private MotoAlb(URI endpoint, Options o) {
    this.endpoint = endpoint;
    this.admin = AwsClients.elb(endpoint, null);
    this.elb = AwsClients.elb(endpoint, counter);
    network(endpoint);
    String id = "bg" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    this.loadBalancerArn = admin.createLoadBalancer(r -> r.name(id).subnets(subnetIds).type("application").scheme("internal"))
        .loadBalancers().get(0).loadBalancerArn();
    this.blueTg = targetGroup(id + "-blue", 2);
    this.greenTg = targetGroup(id + "-green", o.greenTargets);
    this.extraTg = o.extraTargetGroup ? targetGroup(id + "-extra", 1) : null;
    List<Action> actions = initialActions(o);
    if (o.rule) {
      Action notFound = Action.builder().type(ActionTypeEnum.FIXED_RESPONSE)
          .fixedResponseConfig(FixedResponseActionConfig.builder().statusCode("404").contentType("text/plain").messageBody("no route").build()).build();
      this.listenerArn = admin.createListener(r -> r.loadBalancerArn(loadBalancerArn).protocol(ProtocolEnum.HTTP).port(80).defaultActions(notFound))
          .listeners().get(0).listenerArn();
      this.ruleArn = admin.createRule(r -> r.listenerArn(listenerArn).priority(10).actions(actions).conditions(
          RuleCondition.builder().field("path-pattern").pathPatternConfig(p -> p.values("/api/*")).build(),
          RuleCondition.builder().field("host-header").hostHeaderConfig(h -> h.values("shop.example.com")).build()))
          .rules().get(0).ruleArn();
    } else {
      this.listenerArn = admin.createListener(r -> r.loadBalancerArn(loadBalancerArn).protocol(ProtocolEnum.HTTP).port(80).defaultActions(actions))
          .listeners().get(0).listenerArn();
      this.ruleArn = null;
    }
  }

  private List<Action> initialActions(Options o) {
    List<Action> actions = new ArrayList<>();
    int order = 1;
    if (o.oidc) {
      actions.add(Action.builder().type(ActionTypeEnum.AUTHENTICATE_OIDC).order(order++).authenticateOidcConfig(c -> c
          .issuer("https://idp.example.com").authorizationEndpoint("https://idp.example.com/authorize")
          .tokenEndpoint("https://idp.example.com/token").userInfoEndpoint("https://idp.example.com/userinfo")
          .clientId("shop-client").clientSecret("not-a-real-secret").sessionCookieName("AWSELBAuthSessionCookie")
          .scope("openid email").sessionTimeout(3600L).authenticationRequestExtraParams(Map.of("prompt", "login"))
          .onUnauthenticatedRequest(AuthenticateOidcActionConditionalBehaviorEnum.AUTHENTICATE)).build());
    }
    if (o.legacyForward) {
      actions.add(Action.builder().type(ActionTypeEnum.FORWARD).order(order).targetGroupArn(blueTg).build());
      return actions;
    }
    List<TargetGroupTuple> groups = new ArrayList<>();
    groups.add(TargetGroupTuple.builder().targetGroupArn(blueTg).weight(100).build());
    if (extraTg != null) {
      groups.add(TargetGroupTuple.builder().targetGroupArn(extraTg).weight(0).build());
    }
    groups.add(TargetGroupTuple.builder().targetGroupArn(greenTg).weight(0).build());
    ForwardActionConfig.Builder fc = ForwardActionConfig.builder().targetGroups(groups);
    if (o.stickinessSeconds != null) {
      fc.targetGroupStickinessConfig(s -> s.enabled(true).durationSeconds(o.stickinessSeconds));
    }
    actions.add(Action.builder().type(ActionTypeEnum.FORWARD).order(order).forwardConfig(fc.build()).build());
    return actions;
  }

  /**
   * @param suffix appended to this setup's name
   * @param targets healthy targets to register
   * @return the ARN of a new target group that no listener uses
   */
  public String newTargetGroup(String suffix, int targets) {
    String base = loadBalancerArn.substring(loadBalancerArn.indexOf("/app/") + 5, loadBalancerArn.lastIndexOf('/'));
    return targetGroup(base + "-" + suffix, targets);
  }

  private String targetGroup(String name, int targets) {
    String arn = admin.createTargetGroup(r -> r.name(name).protocol(ProtocolEnum.HTTP).port(8080).vpcId(vpcId).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0).targetGroupArn();
    if (targets > 0) {
      List<TargetDescription> list = new ArrayList<>();
      for (int i = 0; i < targets; i++) {
        list.add(TargetDescription.builder().id("10.0.1." + (10 + i)).port(8080).build());
      }
      admin.registerTargets(r -> r.targetGroupArn(arn).targets(list));
    }
    return arn;
  }

  /** Deregisters every target of a target group (moto then reports none). */
  public void deregisterAll(String targetGroupArn) {
    List<TargetDescription> targets = admin.describeTargetHealth(r -> r.targetGroupArn(targetGroupArn)).targetHealthDescriptions().stream()
        .map(t -> t.target()).toList();
    if (!targets.isEmpty()) {
      admin.deregisterTargets(r -> r.targetGroupArn(targetGroupArn).targets(targets));
    }
  }

  /** @return the listener's default actions, read back */
  public List<Action> listenerActions() {
    Listener l = admin.describeListeners(r -> r.listenerArns(listenerArn)).listeners().get(0);
    return l.defaultActions();
  }

  /** @return the rule, read back */
  public Rule rule() {
    return admin.describeRules(r -> r.ruleArns(ruleArn)).rules().get(0);
  }

  // ------------------------------------------------------------------ another writer (the contract kit's out-of-band hook)

  /**
   * Rewrites the forward action of the listener (or rule) with the admin client, as another writer
   * would: every managed target group gets its weight; the others keep theirs. Other actions are
   * written back as read (an OIDC action read without its secret keeps the one AWS has).
   *
   * @param weights target group ARN to weight; a group not listed yet is added
   */
  public void forward(Map<String, Integer> weights) {
    List<Action> actions = new ArrayList<>();
    for (Action a : ruleArn != null ? rule().actions() : listenerActions()) {
      if (a.type() == ActionTypeEnum.FORWARD) {
        Map<String, Integer> all = new java.util.LinkedHashMap<>();
        if (a.forwardConfig() != null && a.forwardConfig().hasTargetGroups()) {
          a.forwardConfig().targetGroups().forEach(t -> all.put(t.targetGroupArn(), t.weight()));
        } else if (a.targetGroupArn() != null) {
          all.put(a.targetGroupArn(), 1);
        }
        all.putAll(weights);
        List<TargetGroupTuple> tuples = all.entrySet().stream()
            .map(e -> TargetGroupTuple.builder().targetGroupArn(e.getKey()).weight(e.getValue()).build()).toList();
        ForwardActionConfig.Builder fc = a.forwardConfig() == null ? ForwardActionConfig.builder() : a.forwardConfig().toBuilder();
        actions.add(a.toBuilder().targetGroupArn(null).forwardConfig(fc.targetGroups(tuples).build()).build());
      } else if (a.authenticateOidcConfig() != null && a.authenticateOidcConfig().clientSecret() == null) {
        actions.add(a.toBuilder().authenticateOidcConfig(a.authenticateOidcConfig().toBuilder().useExistingClientSecret(true).build()).build());
      } else {
        actions.add(a);
      }
    }
    if (ruleArn != null) {
      admin.modifyRule(r -> r.ruleArn(ruleArn).actions(actions));
    } else {
      admin.modifyListener(r -> r.listenerArn(listenerArn).defaultActions(actions));
    }
  }

  /**
   * @param blue the environment on {@link #blueTg}
   * @param green the environment on {@link #greenTg}
   * @return another writer: ModifyListener / ModifyRule through the admin client; its unmapped
   *     state sends everything to a new target group named ...-red
   */
  public RouterContractTest.OutOfBandWriter outOfBand(Environment blue, Environment green) {
    return new RouterContractTest.OutOfBandWriter() {
      @Override
      public void write(TrafficSplit split) {
        forward(Map.of(blueTg, split.weightOf(blue), greenTg, split.weightOf(green)));
      }

      @Override
      public String writeUnmapped() {
        String red = newTargetGroup("red", 1);
        forward(Map.of(blueTg, 0, greenTg, 0, red, 100));
        return "-red=100";
      }
    };
  }

  /**
   * @return the listener (or rule) as read, without the weights of the forward action's target
   *     groups (and without how AWS keeps an OIDC secret): what a router must leave unchanged
   */
  public String everythingButWeights() {
    StringBuilder sb = new StringBuilder();
    if (ruleArn != null) {
      Rule r = rule();
      sb.append("priority ").append(r.priority()).append("; conditions ").append(r.conditions()).append('\n');
    } else {
      Listener l = admin.describeListeners(q -> q.listenerArns(listenerArn)).listeners().get(0);
      sb.append(l.protocolAsString()).append(' ').append(l.port()).append('\n');
    }
    for (Action a : ruleArn != null ? rule().actions() : listenerActions()) {
      Action shown = a;
      if (a.forwardConfig() != null && a.forwardConfig().hasTargetGroups()) {
        List<TargetGroupTuple> groups = a.forwardConfig().targetGroups().stream()
            .map(t -> TargetGroupTuple.builder().targetGroupArn(t.targetGroupArn()).build())
            .sorted(java.util.Comparator.comparing(TargetGroupTuple::targetGroupArn)).toList();
        shown = a.toBuilder().targetGroupArn(null).forwardConfig(a.forwardConfig().toBuilder().targetGroups(groups).build()).build();
      }
      if (a.authenticateOidcConfig() != null) {
        shown = shown.toBuilder().authenticateOidcConfig(a.authenticateOidcConfig().toBuilder().clientSecret(null)
            .useExistingClientSecret(null).build()).build();
      }
      sb.append(shown).append('\n');
    }
    return sb.toString();
  }

  private static void network(URI endpoint) {
    synchronized (SETUP) {
      if (vpcId != null) {
        return;
      }
      try (Ec2Client ec2 = AwsClients.ec2(endpoint)) {
        String vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
        String a = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a")).subnet().subnetId();
        String b = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.2.0/24").availabilityZone("us-east-1b")).subnet().subnetId();
        subnetIds = List.of(a, b);
        vpcId = vpc;
      }
    }
  }

  @Override
  public void close() {
    try {
      admin.deleteLoadBalancer(r -> r.loadBalancerArn(loadBalancerArn));
    } catch (RuntimeException ignored) {
      // moto keeps running state per server; a leftover load balancer harms no other test
    }
    elb.close();
    admin.close();
  }
}
