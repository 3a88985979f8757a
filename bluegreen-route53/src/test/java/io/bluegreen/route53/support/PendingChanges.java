package io.bluegreen.route53.support;

import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsResponse;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.GetChangeResponse;

/**
 * Makes moto's changes propagate as Route 53's do: moto answers every ChangeResourceRecordSets
 * INSYNC at once, Route 53 answers PENDING and GetChange reports PENDING until the change reaches
 * every DNS server. With this interceptor on a client, each write is answered PENDING and the next
 * {@code pendingPolls} GetChange calls after it are answered PENDING, then moto's INSYNC.
 *
 * <pre>{@code
 * Route53Client client = Route53Clients.createWith(endpoint, Duration.ofSeconds(60), new PendingChanges(1), counter);
 * }</pre>
 */
public final class PendingChanges implements ExecutionInterceptor {

  private final int pendingPolls;
  private final AtomicInteger stillPending = new AtomicInteger();

  /** @param pendingPolls GetChange calls answered PENDING after each write */
  public PendingChanges(int pendingPolls) {
    this.pendingPolls = pendingPolls;
  }

  @Override
  public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
    SdkResponse response = context.response();
    if (response instanceof ChangeResourceRecordSetsResponse r) {
      stillPending.set(pendingPolls);
      return r.toBuilder().changeInfo(pending(r.changeInfo())).build();
    }
    if (response instanceof GetChangeResponse r && stillPending.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return r.toBuilder().changeInfo(pending(r.changeInfo())).build();
    }
    return response;
  }

  private static ChangeInfo pending(ChangeInfo info) {
    return info.toBuilder().status(ChangeStatus.PENDING).build();
  }
}
