package io.bluegreen.route53.support;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/** Route 53 clients for local peers: static credentials, us-east-1, SDK retries off (the engine retries). */
public final class Route53Clients {

  private static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

  private Route53Clients() {
  }

  /**
   * @param endpoint http://127.0.0.1:port
   * @param counter counts requests (may be null)
   * @return a client that never retries by itself
   */
  public static Route53Client create(URI endpoint, RequestCounter counter) {
    return create(endpoint, counter, Duration.ofSeconds(60));
  }

  /**
   * @param endpoint http://127.0.0.1:port
   * @param counter counts requests (may be null)
   * @param callTimeout the SDK's per-call timeout (apiCallTimeout): a reply later than this fails the call
   * @return a client that never retries by itself
   */
  public static Route53Client create(URI endpoint, RequestCounter counter, Duration callTimeout) {
    return counter == null ? createWith(endpoint, callTimeout) : createWith(endpoint, callTimeout, counter);
  }

  /**
   * @param endpoint http://127.0.0.1:port
   * @param callTimeout the SDK's per-call timeout (apiCallTimeout): a reply later than this fails the call
   * @param interceptors request counters, fault markers
   * @return a client that never retries by itself
   */
  public static Route53Client createWith(URI endpoint, Duration callTimeout, ExecutionInterceptor... interceptors) {
    return Route53Client.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS)
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(o -> {
          o.retryStrategy(AwsRetryStrategy.doNotRetry());
          o.apiCallTimeout(callTimeout);
          for (ExecutionInterceptor i : interceptors) {
            o.addExecutionInterceptor(i);
          }
        })
        .build();
  }
}
