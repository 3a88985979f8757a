package io.bluegreen.benchmarks;

import io.bluegreen.core.Environment;
import io.bluegreen.core.PreflightReport;
import io.bluegreen.core.Router;
import io.bluegreen.core.RouterCapabilities;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.Verification;
import io.bluegreen.core.WritePurpose;
import io.bluegreen.core.WriteResult;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Wraps a router and measures the time spent inside it, so the engine's own time is what is left.
 *
 * <pre>{@code
 * TimedRouter timed = new TimedRouter(router);
 * long engineNanos = wallNanos - timed.insideNanos();
 * }</pre>
 */
public final class TimedRouter implements Router {

  private final Router delegate;
  private final AtomicLong inside = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private volatile TrafficSplit watchFor;
  private volatile long watchedApplyStartNanos;

  /** @param delegate the router to measure */
  public TimedRouter(Router delegate) {
    this.delegate = delegate;
  }

  /** @param split record when an apply (or applyIfUnchanged) of this split starts (see {@link #watchedApplyStartNanos()}) */
  public void watchApplyOf(TrafficSplit split) {
    this.watchFor = split;
    this.watchedApplyStartNanos = 0;
  }

  /** @return System.nanoTime() when the watched apply started, 0 if it did not */
  public long watchedApplyStartNanos() {
    return watchedApplyStartNanos;
  }

  /** @return nanoseconds spent inside the delegate */
  public long insideNanos() {
    return inside.get();
  }

  /** @return calls made to the delegate's backend methods */
  public long calls() {
    return calls.get();
  }

  private <T> T timed(Supplier<T> call) {
    long t0 = System.nanoTime();
    try {
      return call.get();
    } finally {
      inside.addAndGet(System.nanoTime() - t0);
      calls.incrementAndGet();
    }
  }

  @Override
  public String routeId() {
    return delegate.routeId();
  }

  @Override
  public List<Environment> environments() {
    return delegate.environments();
  }

  @Override
  public RouterCapabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public TrafficSplit current() {
    return timed(delegate::current);
  }

  @Override
  public void apply(TrafficSplit target) {
    if (target.equals(watchFor) && watchedApplyStartNanos == 0) {
      watchedApplyStartNanos = System.nanoTime();
    }
    timed(() -> {
      delegate.apply(target);
      return null;
    });
  }

  @Override
  public WriteResult applyIfUnchanged(TrafficSplit expected, TrafficSplit target, WritePurpose purpose) {
    if (target.equals(watchFor) && watchedApplyStartNanos == 0) {
      watchedApplyStartNanos = System.nanoTime();
    }
    return timed(() -> delegate.applyIfUnchanged(expected, target, purpose));
  }

  @Override
  public Verification verify(TrafficSplit expected) {
    return timed(() -> delegate.verify(expected));
  }

  @Override
  public PreflightReport preflight(TrafficSplit target) {
    return timed(() -> delegate.preflight(target));
  }

  @Override
  public boolean isTransient(Throwable failure) {
    return delegate.isTransient(failure);
  }
}
