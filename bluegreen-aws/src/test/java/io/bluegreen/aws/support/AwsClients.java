package io.bluegreen.aws.support;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * SDK clients for tests: a local endpoint, static fake credentials, us-east-1, and SDK retries off
 * so that the plan engine's retries are the only ones (the configuration the README recommends).
 */
public final class AwsClients {

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  private AwsClients() {
  }

  /**
   * @param endpoint the local endpoint
   * @param counter counts requests, or null
   * @return an ELBv2 client
   */
  public static ElasticLoadBalancingV2Client elb(URI endpoint, RequestCounter counter) {
    return counter == null ? elbWith(endpoint) : elbWith(endpoint, counter);
  }

  /**
   * @param endpoint the local endpoint
   * @param interceptors request counters, fault markers
   * @return an ELBv2 client
   */
  public static ElasticLoadBalancingV2Client elbWith(URI endpoint, ExecutionInterceptor... interceptors) {
    return ElasticLoadBalancingV2Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS)
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(20)))
        .overrideConfiguration(o -> {
          o.retryStrategy(AwsRetryStrategy.doNotRetry());
          for (ExecutionInterceptor i : interceptors) {
            o.addExecutionInterceptor(i);
          }
        })
        .build();
  }

  /** @param endpoint the local endpoint @return an EC2 client */
  public static Ec2Client ec2(URI endpoint) {
    return Ec2Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
        .httpClientBuilder(ApacheHttpClient.builder())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
  }

}
