package io.bluegreen.route53.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.core.RouterException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.route53.model.Route53Exception;

class Route53ErrorsTest {

  private static Route53Exception error(int status, String code, String message) {
    return (Route53Exception) Route53Exception.builder().statusCode(status).requestId("req-1")
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
  }

  @ParameterizedTest
  @CsvSource({
      "400, Throttling, Rate exceeded, true",
      "400, ThrottlingException, Rate exceeded, true",
      "400, PriorRequestNotComplete, still processing a prior request, true",
      "500, InternalFailure, oops, true",
      "503, ServiceUnavailable, later, true",
      "400, InvalidChangeBatch, [RRSet ... is not permitted], false",
      "404, NoSuchHostedZone, No hosted zone found with ID: Z1, false",
      "400, InvalidInput, bad name, false",
      "403, AccessDenied, User is not authorized to perform: route53:ChangeResourceRecordSets, false"})
  void classifiesRoute53ErrorCodes(int status, String code, String message, boolean transientFailure) {
    RouterException e = Route53Errors.wrap(null, "ChangeResourceRecordSets on zone Z1", error(status, code, message));
    assertThat(e.isTransient()).isEqualTo(transientFailure);
    assertThat(e.getMessage()).contains(code).contains(message).contains("ChangeResourceRecordSets on zone Z1")
        .contains("HTTP " + status).contains("req-1");
  }

  @Test
  void permanentFailuresSayWhatToFix() {
    assertThat(Route53Errors.wrap(null, "GetHostedZone Z1", error(404, "NoSuchHostedZone", "nope")).getMessage()).contains("hostedZoneId");
    assertThat(Route53Errors.wrap(null, "GetChange C1", error(403, "AccessDenied", "denied")).getMessage()).contains("IAM action");
  }

  @Test
  void ioErrorsAndTimeoutsAreTransient() {
    assertThat(Route53Errors.wrap(null, "ListResourceRecordSets", SdkClientException.builder().message("Unable to execute HTTP request")
        .cause(new SocketTimeoutException("Read timed out")).build()).isTransient()).isTrue();
    assertThat(Route53Errors.wrap(null, "ListResourceRecordSets", SdkClientException.builder().message("connection reset")
        .cause(new IOException("reset")).build()).isTransient()).isTrue();
    assertThat(Route53Errors.wrap(null, "ListResourceRecordSets", ApiCallAttemptTimeoutException.create(1000)).isTransient()).isTrue();
    assertThat(Route53Errors.wrap(null, "ListResourceRecordSets", SdkClientException.create("bad endpoint configuration")).isTransient())
        .isFalse();
  }

  @Test
  void anAbortedCallRestoresTheInterruptFlag() {
    try {
      RouterException e = Route53Errors.wrap(null, "GetHealthCheckStatus hc-1",
          software.amazon.awssdk.core.exception.AbortedException.builder().message("Thread was interrupted").build());
      assertThat(e.getMessage()).contains("aborted");
      assertThat(Thread.currentThread().isInterrupted()).as("the SDK cleared the flag; the caller must still see the interrupt").isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
