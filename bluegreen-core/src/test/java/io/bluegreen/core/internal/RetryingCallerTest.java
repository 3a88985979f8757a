package io.bluegreen.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.RetryPolicy;
import io.bluegreen.core.RouterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryingCallerTest {

  private final List<Duration> slept = new ArrayList<>();
  private final List<Integer> retried = new ArrayList<>();

  private RetryingCaller caller(RetryPolicy policy) {
    return new RetryingCaller("test", policy, t -> t instanceof RouterException r && r.isTransient(), slept::add,
        (op, attempt, wait, failure) -> retried.add(attempt));
  }

  @Test
  void retriesTransientFailuresThenReturns() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String v = caller(RetryPolicy.builder().maxAttempts(5).jitter(0).build()).call("op", () -> {
      if (calls.incrementAndGet() < 3) {
        throw RouterException.transientFailure("503", null);
      }
      return "ok";
    });
    assertThat(v).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(retried).containsExactly(1, 2);
    // exponential: 250ms then 500ms, no jitter
    assertThat(slept).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
  }

  @Test
  void doesNotRetryPermanentFailures() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> caller(RetryPolicy.defaults()).call("op", () -> {
      calls.incrementAndGet();
      throw RouterException.permanentFailure("AccessDenied", null);
    })).hasMessage("AccessDenied");
    assertThat(calls).hasValue(1);
    assertThat(slept).isEmpty();
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastFailure() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> caller(RetryPolicy.builder().maxAttempts(3).build()).call("op", () -> {
      throw RouterException.transientFailure("throttled " + calls.incrementAndGet(), null);
    })).hasMessage("throttled 3");
    assertThat(slept).hasSize(2);
  }

  @Test
  void backoffIsJitteredWithinBoundsAndCapped() throws Exception {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(8).initialBackoff(Duration.ofMillis(100)).multiplier(2)
        .maxBackoff(Duration.ofMillis(800)).jitter(0.5).build();
    AtomicInteger calls = new AtomicInteger();
    caller(policy).call("op", () -> {
      if (calls.incrementAndGet() < 8) {
        throw RouterException.transientFailure("503", null);
      }
      return null;
    });
    assertThat(slept).hasSize(7);
    long[] base = {100, 200, 400, 800, 800, 800, 800};
    for (int i = 0; i < slept.size(); i++) {
      assertThat(slept.get(i).toMillis()).as("wait %d", i + 1).isBetween(base[i] / 2, base[i] * 3 / 2);
    }
    assertThat(slept.stream().distinct().count()).as("jitter spreads the waits").isGreaterThan(1);
  }

  @Test
  void honoursTheBackendsRetryAfter() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    caller(RetryPolicy.builder().jitter(0).build()).call("op", () -> {
      if (calls.incrementAndGet() == 1) {
        throw RouterException.transientFailure("429", null).withRetryAfter(Duration.ofSeconds(3));
      }
      return null;
    });
    assertThat(slept).containsExactly(Duration.ofSeconds(3));
  }
}
