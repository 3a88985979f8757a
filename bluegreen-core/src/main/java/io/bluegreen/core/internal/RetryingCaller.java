package io.bluegreen.core.internal;

import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.Sleeper;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs router calls under a resilience4j {@link Retry}: resilience4j decides whether a failure is
 * retried (the router's classification), how many attempts are left and how long to back off
 * (exponential, with jitter, at least the backend's Retry-After); the wait itself goes through the
 * plan's {@link Sleeper}, so retries run on the plan's (possibly virtual) clock and stay
 * interruptible. Not part of the public API.
 */
public final class RetryingCaller {

  /** Told about each retry before its backoff. */
  @FunctionalInterface
  public interface RetryObserver {
    /**
     * @param operation what was attempted
     * @param attempt the failed attempt, 1-based
     * @param wait the backoff before the next attempt
     * @param failure what failed
     */
    void onRetry(String operation, int attempt, Duration wait, Throwable failure);
  }

  private final Retry retry;
  private final Sleeper sleeper;
  private final RetryObserver observer;

  /**
   * @param name a name for resilience4j's metrics and events
   * @param policy attempts and backoff
   * @param isTransient which failures to retry
   * @param sleeper how to wait
   * @param observer told about each retry
   */
  public RetryingCaller(String name, RetryPolicy policy, Predicate<Throwable> isTransient, Sleeper sleeper, RetryObserver observer) {
    IntervalFunction backoff = policy.jitter() > 0
        ? IntervalFunction.ofExponentialRandomBackoff(policy.initialBackoff(), policy.multiplier(), policy.jitter(), policy.maxBackoff())
        : IntervalFunction.ofExponentialBackoff(policy.initialBackoff(), policy.multiplier(), policy.maxBackoff());
    IntervalBiFunction<Object> interval = (attempt, outcome) -> {
      long millis = backoff.apply(attempt);
      if (outcome.isLeft()) {
        long hint = retryAfterMillis(outcome.getLeft());
        millis = Math.max(millis, hint);
      }
      return millis;
    };
    RetryConfig config = RetryConfig.custom()
        .maxAttempts(policy.maxAttempts())
        .intervalBiFunction(interval)
        .retryOnException(t -> isTransient.test(t))
        .build();
    this.retry = Retry.of(name, config);
    this.sleeper = sleeper;
    this.observer = observer;
  }

  private static long retryAfterMillis(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof RouterException re && re.retryAfter().isPresent()) {
        return Math.min(re.retryAfter().get().toMillis(), Duration.ofMinutes(5).toMillis());
      }
    }
    return 0;
  }

  /**
   * Calls {@code call}, retrying transient failures.
   *
   * @param operation what is attempted, for events
   * @param call the router call
   * @param <T> its result
   * @return the call's result
   * @throws InterruptedException if interrupted while backing off
   * @throws RuntimeException the last failure when it is permanent or attempts run out
   */
  public <T> T call(String operation, Supplier<T> call) throws InterruptedException {
    Retry.AsyncContext<T> context = retry.asyncContext();
    int attempt = 0;
    while (true) {
      attempt++;
      try {
        T value = call.get();
        context.onComplete();
        return value;
      } catch (RuntimeException failure) {
        long waitMillis = context.onError(failure);
        if (waitMillis < 0) {
          throw failure;
        }
        Duration wait = Duration.ofMillis(waitMillis);
        observer.onRetry(operation, attempt, wait, failure);
        sleeper.sleep(wait);
      }
    }
  }

  /** @return resilience4j's view, for metrics */
  public Retry retry() {
    return retry;
  }
}
