package io.bluegreen.aws.internal;

import io.bluegreen.core.Checks;
import io.bluegreen.core.InvalidConfigurationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * Parses and checks Elastic Load Balancing v2 ARNs of Application Load Balancer listeners, listener
 * rules and target groups, so that a typo fails in a builder and not half-way through a switch.
 * Not part of the public API.
 *
 * <pre>{@code
 * AlbArns.Parsed listener = AlbArns.listener(listenerArn);   // InvalidConfigurationException if malformed
 * listener.loadBalancerArn();                                // arn:aws:elasticloadbalancing:...:loadbalancer/app/...
 * }</pre>
 */
public final class AlbArns {

  private static final String PREFIX = "arn:(aws[a-z-]*):elasticloadbalancing:([a-z0-9-]+):(\\d{12}):";
  private static final String NAME = "([A-Za-z0-9-]{1,32})";
  private static final String ID = "([0-9a-f]{1,32})";
  private static final Pattern LISTENER = Pattern.compile(PREFIX + "listener/app/" + NAME + "/" + ID + "/" + ID);
  private static final Pattern RULE = Pattern.compile(PREFIX + "listener-rule/app/" + NAME + "/" + ID + "/" + ID + "/" + ID);
  private static final Pattern TARGET_GROUP = Pattern.compile(PREFIX + "targetgroup/" + NAME + "/" + ID);

  private static final String LISTENER_FORM = "arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<load-balancer-name>/<id>/<id>";
  private static final String RULE_FORM = "arn:aws:elasticloadbalancing:<region>:<account>:listener-rule/app/<load-balancer-name>/<id>/<id>/<id>";
  private static final String TARGET_GROUP_FORM = "arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>";

  /**
   * The parts of a parsed ARN that the routers need.
   *
   * @param arn the ARN as given
   * @param partition e.g. {@code aws}
   * @param region e.g. {@code us-east-1}
   * @param account the 12-digit account id
   * @param loadBalancerArn the load balancer the listener or rule belongs to (null for a target group)
   */
  public record Parsed(String arn, String partition, String region, String account, String loadBalancerArn) {
  }

  private AlbArns() {
  }

  /**
   * @param arn an ALB listener ARN
   * @return its parts
   * @throws InvalidConfigurationException if it is not one, saying what was expected
   */
  public static Parsed listener(String arn) {
    Checks.notBlank(arn, "listener ARN");
    Matcher m = LISTENER.matcher(arn);
    if (!m.matches()) {
      throw new InvalidConfigurationException("listener ARN \"" + Checks.printable(arn) + "\" is not an Application Load Balancer listener ARN"
          + hint(arn, "listener") + ": expected " + LISTENER_FORM + " (see aws elbv2 describe-listeners)");
    }
    return new Parsed(arn, m.group(1), m.group(2), m.group(3), loadBalancerArn(m));
  }

  /**
   * @param arn an ALB listener rule ARN
   * @return its parts
   * @throws InvalidConfigurationException if it is not one, saying what was expected
   */
  public static Parsed rule(String arn) {
    Checks.notBlank(arn, "listener rule ARN");
    Matcher m = RULE.matcher(arn);
    if (!m.matches()) {
      throw new InvalidConfigurationException("listener rule ARN \"" + Checks.printable(arn) + "\" is not an Application Load Balancer listener rule ARN"
          + hint(arn, "rule") + ": expected " + RULE_FORM + " (see aws elbv2 describe-rules)");
    }
    return new Parsed(arn, m.group(1), m.group(2), m.group(3), loadBalancerArn(m));
  }

  /**
   * @param arn a target group ARN
   * @param what what it is for, for the message (e.g. "target group of green")
   * @return its parts
   * @throws InvalidConfigurationException if it is not one, saying what was expected
   */
  public static Parsed targetGroup(String arn, String what) {
    Checks.notBlank(arn, what);
    Matcher m = TARGET_GROUP.matcher(arn);
    if (!m.matches()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(arn) + "\" is not a target group ARN"
          + hint(arn, "targetgroup") + ": expected " + TARGET_GROUP_FORM + " (see aws elbv2 describe-target-groups)");
    }
    return new Parsed(arn, m.group(1), m.group(2), m.group(3), null);
  }

  /**
   * Rejects a target group in another partition, region or account than the listener or rule.
   *
   * @param owner the listener or rule
   * @param targetGroup the target group
   * @param what what the target group is for, for the message
   */
  public static void requireSameAccountAndRegion(Parsed owner, Parsed targetGroup, String what) {
    if (!owner.partition().equals(targetGroup.partition()) || !owner.region().equals(targetGroup.region())
        || !owner.account().equals(targetGroup.account())) {
      throw new InvalidConfigurationException(what + " " + targetGroup.arn() + " is in " + where(targetGroup)
          + " but the listener is in " + where(owner) + ": an ALB forwards only to target groups of its own account and region");
    }
  }

  private static String where(Parsed p) {
    return "account " + p.account() + " region " + p.region() + (p.partition().equals("aws") ? "" : " partition " + p.partition());
  }

  private static String loadBalancerArn(Matcher m) {
    return "arn:" + m.group(1) + ":elasticloadbalancing:" + m.group(2) + ":" + m.group(3) + ":loadbalancer/app/" + m.group(4) + "/" + m.group(5);
  }

  private static String hint(String arn, String expected) {
    if (expected.equals("targetgroup")) {
      return targetGroupHint(arn);
    }
    if (arn.contains(":listener/net/") || arn.contains(":listener-rule/net/") || arn.contains(":listener/gwy/")) {
      return " (it belongs to a Network or Gateway Load Balancer, which cannot split traffic by weight: use an Application Load Balancer)";
    }
    if (!expected.equals("rule") && arn.contains(":listener-rule/")) {
      return " (it is a listener rule ARN: use AlbRuleRouter for rules)";
    }
    if (!expected.equals("listener") && arn.matches(".*:listener/app/[^/]+/[^/]+/[^/]+")) {
      return " (it is a listener ARN: use AlbListenerRouter for a listener's default actions)";
    }
    if (!expected.equals("targetgroup") && arn.contains(":targetgroup/")) {
      return " (it is a target group ARN)";
    }
    if (arn.contains(":loadbalancer/")) {
      return " (it is a load balancer ARN: pass the ARN of one of its listeners or rules)";
    }
    return "";
  }

  /** Where a target group belongs, router advice would mislead: say what was passed instead. */
  private static String targetGroupHint(String arn) {
    String kind = arn.contains(":listener-rule/") ? "a listener rule" : arn.contains(":listener/") ? "a listener"
        : arn.contains(":loadbalancer/") ? "a load balancer" : null;
    return kind == null ? "" : " (it is " + kind + " ARN, not a target group's: pass the ARN of the target group whose targets serve this environment)";
  }

  /**
   * Rejects a client configured for another region than the resource: every call it made would
   * answer "not found".
   *
   * @param elb the client
   * @param resource the listener, rule or target group
   */
  public static void requireClientRegion(ElasticLoadBalancingV2Client elb, Parsed resource) {
    Region region;
    try {
      region = elb.serviceClientConfiguration() == null ? null : elb.serviceClientConfiguration().region();
    } catch (RuntimeException notAvailable) {
      return; // a test double or a wrapper without configuration: nothing to compare
    }
    if (region != null && !region.id().equals(resource.region())) {
      throw new InvalidConfigurationException("the ElasticLoadBalancingV2Client is configured for region " + region.id() + " but "
          + resource.arn() + " is in " + resource.region() + ": build the client with .region(Region.of(\"" + resource.region() + "\"))");
    }
  }
}
