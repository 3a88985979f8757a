package io.bluegreen.benchmarks;

import io.bluegreen.aws.AlbListenerRouter;
import io.bluegreen.core.Router;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ProtocolEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetDescription;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetGroupTuple;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.TargetTypeEnum;

/**
 * An ALB in moto server, set up through the SDK (a VPC with two subnets, a load balancer, blue and
 * green target groups with two registered targets each, an HTTP listener forwarding blue 100 / green
 * 0), switched by an {@link AlbListenerRouter} whose client counts the requests it sends (one per
 * attempt, by operation, with an {@link ExecutionInterceptor}).
 *
 * <pre>{@code
 * RollbackBenchmark.measure(AlbMotoScene.create(URI.create(System.getenv("BLUEGREEN_MOTO_ENDPOINT"))), 20, 20, 2);
 * }</pre>
 */
final class AlbMotoScene implements RollbackBenchmark.Scene {

  private final List<String> sent = java.util.Collections.synchronizedList(new ArrayList<>());
  private final ElasticLoadBalancingV2Client elb;
  private final String loadBalancerArn;
  private final String listenerArn;
  private final String twinListenerArn;
  private final Action forward;
  private final Router router;

  private AlbMotoScene(URI endpoint) {
    ExecutionInterceptor counter = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        sent.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
      }
    };
    StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    // SDK retries off, as the README recommends: the plan engine's retries are the only ones
    elb = ElasticLoadBalancingV2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(20)))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).addExecutionInterceptor(counter)).build();
    List<String> subnets;
    String vpc;
    try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(credentials)
        .httpClientBuilder(ApacheHttpClient.builder()).build()) {
      vpc = ec2.createVpc(r -> r.cidrBlock("10.7.0.0/16")).vpc().vpcId();
      subnets = List.of(
          ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.7.1.0/24").availabilityZone("us-east-1a")).subnet().subnetId(),
          ec2.createSubnet(r -> r.vpcId(vpc).cidrBlock("10.7.2.0/24").availabilityZone("us-east-1b")).subnet().subnetId());
    }
    String id = "rb" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    loadBalancerArn = elb.createLoadBalancer(r -> r.name(id).subnets(subnets).type("application").scheme("internal"))
        .loadBalancers().get(0).loadBalancerArn();
    String blue = targetGroup(id + "-blue", vpc);
    String green = targetGroup(id + "-green", vpc);
    forward = Action.builder().type(ActionTypeEnum.FORWARD).order(1).forwardConfig(f -> f.targetGroups(
        TargetGroupTuple.builder().targetGroupArn(blue).weight(100).build(),
        TargetGroupTuple.builder().targetGroupArn(green).weight(0).build())).build();
    listenerArn = elb.createListener(r -> r.loadBalancerArn(loadBalancerArn).protocol(ProtocolEnum.HTTP).port(80).defaultActions(forward))
        .listeners().get(0).listenerArn();
    twinListenerArn = elb.createListener(r -> r.loadBalancerArn(loadBalancerArn).protocol(ProtocolEnum.HTTP).port(81).defaultActions(forward))
        .listeners().get(0).listenerArn();
    router = AlbListenerRouter.builder(elb).listenerArn(listenerArn)
        .environment(RollbackBenchmark.BLUE, blue).environment(RollbackBenchmark.GREEN, green).build();
  }

  /** @param endpoint moto server @return the scene, set up */
  static AlbMotoScene create(URI endpoint) {
    return new AlbMotoScene(endpoint);
  }

  private String targetGroup(String name, String vpc) {
    String arn = elb.createTargetGroup(r -> r.name(name).protocol(ProtocolEnum.HTTP).port(8080).vpcId(vpc).targetType(TargetTypeEnum.IP))
        .targetGroups().get(0).targetGroupArn();
    elb.registerTargets(r -> r.targetGroupArn(arn).targets(TargetDescription.builder().id("10.7.1.10").port(8080).build(),
        TargetDescription.builder().id("10.7.1.11").port(8080).build()));
    return arn;
  }

  @Override
  public String name() {
    return "alb-moto AlbListenerRouter";
  }

  @Override
  public Router router() {
    return router;
  }

  @Override
  public String roundTripName() {
    return "DescribeListeners";
  }

  @Override
  public void roundTrip() {
    elb.describeListeners(r -> r.listenerArns(listenerArn));
  }

  @Override
  public String writeName() {
    return "ModifyListener (a twin)";
  }

  /** A ModifyListener like the rollback's (the same forward action), on a second listener of the load balancer. */
  @Override
  public void writeRoundTrip() {
    elb.modifyListener(r -> r.listenerArn(twinListenerArn).defaultActions(forward));
  }

  @Override
  public long requestCount() {
    return sent.size();
  }

  @Override
  public List<String> requests(long from, long to) {
    synchronized (sent) {
      return List.copyOf(sent.subList((int) from, (int) to));
    }
  }

  @Override
  public int roundTripsAtLeast() {
    return 2; // ELBv2 has no conditional write: DescribeListeners (the drift check), then ModifyListener
  }

  @Override
  public void close() {
    try {
      elb.deleteLoadBalancer(r -> r.loadBalancerArn(loadBalancerArn));
    } catch (RuntimeException ignored) {
      // a leftover load balancer in a moto server that stops with the script harms nothing
    }
    elb.close();
  }
}
