package io.bluegreen.examples.alb;

import java.net.URI;
import java.util.List;
import java.util.UUID;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * The ALB the example switches, created in a moto server (an independent AWS fake, e.g. the one
 * {@code ./scripts/test.sh} starts and names in {@code BLUEGREEN_MOTO_ENDPOINT}) through the SDK: a VPC
 * with two subnets, an internal application load balancer, target groups blue and green with two
 * registered targets each, and an HTTP listener forwarding blue 100, green 0. Names are random, so
 * runs never collide; {@link #close()} deletes the load balancer.
 *
 * <pre>{@code
 * URI moto = URI.create(System.getenv("BLUEGREEN_MOTO_ENDPOINT"));
 * try (MotoAlb alb = MotoAlb.create(moto)) {
 *   AlbListenerExample.run(alb.elb(), alb.listenerArn(), alb.blueTg(), alb.greenTg(), VirtualClock.create(), System.out);
 * }
 * }</pre>
 */
public final class MotoAlb implements AutoCloseable {

  private final ElasticLoadBalancingV2Client elb;
  private final String loadBalancerArn;
  private final String listenerArn;
  private final String blueTg;
  private final String greenTg;

  private MotoAlb(URI endpoint) {
    this.elb = AlbListenerExample.localClient(endpoint);
    String vpc;
    List<String> subnets;
    try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(endpoint).region(AlbListenerExample.LOCAL_REGION)
        .credentialsProvider(AlbListenerExample.LOCAL_CREDENTIALS).build()) {
      vpc = ec2.createVpc(r -> r.cidrBlock("10.0.0.0/16")).vpc().vpcId();
      String a = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.1.0/24").availabilityZone("us-east-1a")).subnet().subnetId();
      String b = ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.0.2.0/24").availabilityZone("us-east-1b")).subnet().subnetId();
      subnets = List.of(a, b);
    }
    String name = "shop-" + UUID.randomUUID().toString().substring(0, 8);
    this.loadBalancerArn = elb.createLoadBalancer(r -> r.name(name).subnets(subnets).type("application").scheme("internal"))
        .loadBalancers().get(0).loadBalancerArn();
    this.blueTg = targetGroup(name + "-blue", vpc, "10.0.1.");
    this.greenTg = targetGroup(name + "-green", vpc, "10.0.2.");
    Action forward = Action.builder().type(ActionTypeEnum.FORWARD).order(1).forwardConfig(f -> f.targetGroups(
        TargetGroupTuple.builder().targetGroupArn(blueTg).weight(100).build(),
        TargetGroupTuple.builder().targetGroupArn(greenTg).weight(0).build())).build();
    this.listenerArn = elb.createListener(r -> r.loadBalancerArn(loadBalancerArn).protocol(ProtocolEnum.HTTP).port(80)
        .defaultActions(forward)).listeners().get(0).listenerArn();
  }

  /**
   * @param endpoint the moto server, e.g. http://127.0.0.1:5000
   * @return the ALB, created
   */
  public static MotoAlb create(URI endpoint) {
    return new MotoAlb(endpoint);
  }

  private String targetGroup(String name, String vpc, String net) {
    String arn = elb.createTargetGroup(r -> r.name(name).protocol(ProtocolEnum.HTTP).port(8080).vpcId(vpc).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0).targetGroupArn();
    elb.registerTargets(r -> r.targetGroupArn(arn).targets(
        TargetDescription.builder().id(net + "10").port(8080).build(), TargetDescription.builder().id(net + "11").port(8080).build()));
    return arn;
  }

  /** @return a client of the moto server (closed with this) */
  public ElasticLoadBalancingV2Client elb() {
    return elb;
  }

  /** @return the listener's ARN */
  public String listenerArn() {
    return listenerArn;
  }

  /** @return blue's target group ARN */
  public String blueTg() {
    return blueTg;
  }

  /** @return green's target group ARN */
  public String greenTg() {
    return greenTg;
  }

  /** Deletes the load balancer (best effort) and closes the client. */
  @Override
  public void close() {
    try {
      elb.deleteLoadBalancer(r -> r.loadBalancerArn(loadBalancerArn));
    } catch (RuntimeException e) {
      // moto keeps state in memory only; a leftover load balancer with a random name harms nothing
    }
    elb.close();
  }
}
