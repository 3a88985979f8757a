package io.bluegreen.route53.support;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import software.amazon.awssdk.awscore.AwsRequest;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * A reply that comes too late, without wall-clock luck: the client marks the calls a fault-matrix cell
 * targets with a header (the fake's fault stub answers only marked requests, late) and gives only those
 * calls a short timeout; every other call keeps the client's generous one, which no loaded machine comes
 * near. Marks the first matching call ({@code once}) or every one.
 */
public final class SlowCallFault implements ExecutionInterceptor {

  /** The header of a marked request. */
  public static final String HEADER = "x-bluegreen-fault";

  private final Predicate<SdkRequest> target;
  private final boolean once;
  private final Duration timeout;
  private final AtomicInteger marked = new AtomicInteger();

  /**
   * @param target the calls the cell targets
   * @param once mark only the first of them
   * @param timeout the marked calls' timeout
   */
  public SlowCallFault(Predicate<SdkRequest> target, boolean once, Duration timeout) {
    this.target = target;
    this.once = once;
    this.timeout = timeout;
  }

  @Override
  public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
    SdkRequest request = context.request();
    if (!target.test(request) || (once && marked.get() > 0)) {
      return request;
    }
    marked.incrementAndGet();
    AwsRequest aws = (AwsRequest) request;
    AwsRequestOverrideConfiguration.Builder config = aws.overrideConfiguration().map(AwsRequestOverrideConfiguration::toBuilder)
        .orElseGet(AwsRequestOverrideConfiguration::builder);
    return aws.toBuilder().overrideConfiguration(config.apiCallTimeout(timeout).putHeader(HEADER, "1").build()).build();
  }

  /** @return how many calls were marked */
  public int marked() {
    return marked.get();
  }
}
