package io.bluegreen.route53.support;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.route53.model.ChangeResourceRecordSetsRequest;

/** Counts the HTTP requests the SDK sends, by operation (one per attempt), and keeps every write. */
public final class RequestCounter implements ExecutionInterceptor {

  private final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();
  private final List<ChangeResourceRecordSetsRequest> writes = new CopyOnWriteArrayList<>();
  private final List<String> operations = new CopyOnWriteArrayList<>();

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    byOperation.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
    operations.add(op);
    if (context.request() instanceof ChangeResourceRecordSetsRequest w) {
      writes.add(w);
    }
  }

  /** @param operation e.g. ListResourceRecordSets @return requests sent for it */
  public long count(String operation) {
    AtomicLong n = byOperation.get(operation);
    return n == null ? 0 : n.get();
  }

  /** @return all requests */
  public long total() {
    return byOperation.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** @return ChangeResourceRecordSets requests */
  public long writes() {
    return count("ChangeResourceRecordSets");
  }

  /** @return every ChangeResourceRecordSets request sent, in order */
  public List<ChangeResourceRecordSetsRequest> writeRequests() {
    return List.copyOf(writes);
  }

  /** @return every operation sent, in order (one per attempt) */
  public List<String> operations() {
    return List.copyOf(operations);
  }

  /** @return a copy of the counts */
  public Map<String, Long> snapshot() {
    Map<String, Long> m = new TreeMap<>();
    byOperation.forEach((k, v) -> m.put(k, v.get()));
    return m;
  }
}
