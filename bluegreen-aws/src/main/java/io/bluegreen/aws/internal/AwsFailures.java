package io.bluegreen.aws.internal;

import io.bluegreen.core.Redaction;
import io.bluegreen.core.RouterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns AWS SDK failures into {@link RouterException}s marked transient or permanent, with the AWS
 * error code and what to fix in the message. Never retries itself: the plan engine does. The
 * service's text and the SDK's exception pass the redaction rule with the caller's secrets (see
 * {@link AwsRedaction}). Not part of the public API.
 *
 * <pre>{@code
 * try { elb.modifyListener(request); }
 * catch (RuntimeException e) { throw AwsFailures.translate("ModifyListener", "listener " + arn, e, AwsRedaction.secretsOf(elb)); }
 * }</pre>
 */
public final class AwsFailures {

  private static final Set<String> THROTTLING = Set.of("throttling", "throttlingexception", "requestlimitexceeded",
      "toomanyrequestsexception", "requestthrottled", "requestthrottledexception", "slowdown", "provisionedthroughputexceededexception",
      "bandwidthlimitexceeded", "ec2throttledexception", "priorrequestnotcomplete");
  private static final Set<String> SERVER = Set.of("internalfailure", "internalerror", "serviceunavailable", "serviceunavailableexception",
      "requesttimeout", "requesttimeoutexception", "idempotentparametermismatch");
  private static final Set<String> NOT_FOUND = Set.of("listenernotfound", "targetgroupnotfound", "rulenotfound", "loadbalancernotfound",
      "resourcenotfound", "resourcenotfoundexception");
  private static final Set<String> ACCESS = Set.of("accessdenied", "accessdeniedexception", "unauthorizedoperation", "unrecognizedclientexception",
      "invalidclienttokenid", "expiredtoken", "expiredtokenexception", "signaturedoesnotmatch", "missingauthenticationtoken", "authfailure");

  private AwsFailures() {
  }

  /**
   * @param operation the AWS operation, e.g. {@code "ModifyListener"}
   * @param resource what it was called on, e.g. {@code "listener arn:..."}
   * @param failure what the SDK threw
   * @param secrets values to keep out of the message and the cause chain (the client's credentials...)
   * @return the failure to throw, transient or permanent
   */
  public static RouterException translate(String operation, String resource, RuntimeException failure, Collection<String> secrets) {
    return translate("elasticloadbalancing", operation, resource, failure, secrets);
  }

  /**
   * @param iamService the IAM service prefix of the operation, e.g. {@code "cloudwatch"}
   * @param operation the AWS operation, e.g. {@code "DescribeAlarms"}
   * @param resource what it was called on
   * @param failure what the SDK threw
   * @param secrets values to keep out of the message and the cause chain (the client's credentials...)
   * @return the failure to throw, transient or permanent
   */
  public static RouterException translate(String iamService, String operation, String resource, RuntimeException failure,
      Collection<String> secrets) {
    if (failure instanceof RouterException re) {
      return re;
    }
    if (failure instanceof AbortedException || hasCause(failure, InterruptedException.class)) {
      // the SDK clears the interrupt flag when it aborts a call: the caller (a plan) must still see the interrupt
      Thread.currentThread().interrupt();
    }
    String where = operation + " on " + resource;
    Throwable cause = AwsRedaction.redacted(failure, secrets);
    String message = Redaction.text(failure.getMessage(), secrets);
    if (failure instanceof AwsServiceException ase) {
      String code = errorCode(ase);
      int status = ase.statusCode();
      String lower = code.toLowerCase(Locale.ROOT);
      String detail = where + " failed with AWS error " + code + " (HTTP " + status + "): " + Redaction.text(serviceMessage(ase), secrets);
      if (THROTTLING.contains(lower) || ase.isThrottlingException() || status == 429) {
        return withHint(RouterException.transientFailure(detail + "; throttled, retrying with backoff", cause), ase);
      }
      if (status >= 500 || SERVER.contains(lower)) {
        return withHint(RouterException.transientFailure(detail + "; a server-side error, retrying with backoff", cause), ase);
      }
      if (NOT_FOUND.contains(lower)) {
        return RouterException.permanentFailure(detail + "; check that the ARN is right and that the client is configured for the"
            + " resource's account and region", cause);
      }
      if (ACCESS.contains(lower)) {
        return RouterException.permanentFailure(detail + "; grant " + iamService + ":" + operation
            + " (or the action named above) to the caller, or fix its credentials: see the IAM policy in the bluegreen-aws README", cause);
      }
      if (lower.equals("validationerror") || lower.equals("invalidparametervalue") || lower.equals("invalidconfigurationrequest")) {
        return RouterException.permanentFailure(detail + "; AWS rejected the request as invalid: check the ARNs and the listener's"
            + " actions (a forward action takes at most 5 target groups with weights 0 to 999)", cause);
      }
      return RouterException.permanentFailure(detail, cause);
    }
    if (failure instanceof ApiCallTimeoutException || failure instanceof ApiCallAttemptTimeoutException) {
      return RouterException.transientFailure(where + " timed out: " + message, cause);
    }
    if (failure instanceof SdkClientException && !(failure instanceof AbortedException)) {
      if (hasIoOrTimeoutCause(failure)) {
        return RouterException.transientFailure(where + " could not reach the endpoint: " + message, cause);
      }
      return RouterException.permanentFailure(where + " failed in the AWS SDK client: " + message
          + "; check the client's credentials, region and endpoint", cause);
    }
    return RouterException.permanentFailure(where + " failed: " + Redaction.text(failure.toString(), secrets), cause);
  }

  /**
   * @param failure a failure
   * @return whether an AWS "not found" error is behind it
   */
  public static boolean isNotFound(Throwable failure) {
    return errorCodeIn(failure).map(c -> NOT_FOUND.contains(c.toLowerCase(Locale.ROOT))).orElse(false);
  }

  /**
   * @param failure a failure
   * @return the AWS error code behind it, if there is one
   */
  public static Optional<String> errorCodeIn(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AwsServiceException ase) {
        return Optional.of(errorCode(ase));
      }
    }
    return Optional.empty();
  }

  private static String errorCode(AwsServiceException ase) {
    if (ase.awsErrorDetails() != null && ase.awsErrorDetails().errorCode() != null) {
      return ase.awsErrorDetails().errorCode();
    }
    return "HTTP" + ase.statusCode();
  }

  private static String serviceMessage(AwsServiceException ase) {
    if (ase.awsErrorDetails() != null && ase.awsErrorDetails().errorMessage() != null) {
      return ase.awsErrorDetails().errorMessage();
    }
    return String.valueOf(ase.getMessage());
  }

  private static RouterException withHint(RouterException e, AwsServiceException ase) {
    if (ase.awsErrorDetails() == null || ase.awsErrorDetails().sdkHttpResponse() == null) {
      return e;
    }
    Optional<String> header = ase.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After");
    if (header.isEmpty()) {
      return e;
    }
    try {
      long seconds = Long.parseLong(header.get().trim());
      return seconds > 0 ? e.withRetryAfter(Duration.ofSeconds(seconds)) : e;
    } catch (NumberFormatException notSeconds) {
      return e; // an HTTP date: let the engine's backoff decide
    }
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasIoOrTimeoutCause(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException
          || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
