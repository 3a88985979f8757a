package io.bluegreen.aws.support;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Counts HTTP requests the SDK sends, by operation name (one per attempt). */
public final class RequestCounter implements ExecutionInterceptor {

  private final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    byOperation.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
  }

  /** @param operation e.g. ModifyListener @return requests sent for it */
  public long count(String operation) {
    AtomicLong n = byOperation.get(operation);
    return n == null ? 0 : n.get();
  }

  /** @return all requests */
  public long total() {
    return byOperation.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** @return mutating requests (ModifyListener, ModifyRule, CreateRule, DeleteRule, AddTags, RemoveTags) */
  public long writes() {
    return count("ModifyListener") + count("ModifyRule") + count("CreateRule") + count("DeleteRule") + count("AddTags") + count("RemoveTags");
  }

  /** @return a copy of the counts */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    byOperation.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }
}
