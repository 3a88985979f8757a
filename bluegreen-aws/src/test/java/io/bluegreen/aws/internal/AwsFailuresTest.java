package io.bluegreen.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.RouterException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** An interrupt the SDK turned into an AbortedException (clearing the flag) is still an interrupt for the caller. */
class AwsFailuresTest {

  @AfterEach
  void clearFlag() {
    Thread.interrupted();
  }

  @Test
  void anAbortedCallRestoresTheInterruptFlag() {
    RouterException e = AwsFailures.translate("DescribeTargetHealth", "target group tg", AbortedException.builder()
        .message("Thread was interrupted").build(), List.of());
    assertThat(e.isTransient()).isFalse();
    assertThat(Thread.currentThread().isInterrupted()).as("the gate or router that caught it leaves the flag set").isTrue();
  }

  @Test
  void anOrdinaryClientFailureDoesNotSetIt() {
    AwsFailures.translate("DescribeListeners", "listener l", SdkClientException.create("no credentials"), List.of());
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
