package io.bluegreen.route53.internal;

import io.bluegreen.core.RouterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Turns AWS SDK failures into {@link RouterException}s marked transient or permanent, keeping the
 * AWS error code and message. The engine retries transient ones with backoff and jitter; the
 * router itself never loops (configure the SDK client's own retries as you see fit).
 *
 * <pre>{@code
 * try { route53.getChange(r -> r.id(id)); }
 * catch (SdkException e) { throw Route53Errors.wrap("GetChange " + id, e); }
 * }</pre>
 */
public final class Route53Errors {

  /** Error codes worth retrying: throttling and "a previous change is still being applied". */
  private static final Set<String> TRANSIENT_CODES = Set.of("Throttling", "ThrottlingException", "ThrottledException",
      "RequestThrottled", "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
      "PriorRequestNotComplete", "ServiceUnavailable", "InternalFailure", "InternalError", "RequestTimeout",
      "RequestTimeoutException", "RequestExpired");

  /** The root element of a Route 53 error document: it carries Route 53's namespace (an HTML page from a proxy does not). */
  private static final Pattern LEGACY_ROOT =
      Pattern.compile("^\\s*(?:<\\?xml[^>]*\\?>)?\\s*<([A-Za-z]+)\\s[^>]*xmlns=\"https?://route53\\.amazonaws\\.com/doc/");
  private static final int MAX_FOREIGN_BODY = 200;
  private static final Pattern LEGACY_MESSAGE = Pattern.compile("<Message>([^<]{0,1000})</Message>");

  private Route53Errors() {
  }

  /**
   * @param operation what was called and on what, e.g. "ChangeResourceRecordSets on zone Z123"
   * @param e the SDK's exception
   * @return the exception to throw
   */
  public static RouterException wrap(String operation, SdkException e) {
    if (e instanceof AwsServiceException aws) {
      String code = aws.awsErrorDetails() == null ? null : aws.awsErrorDetails().errorCode();
      String message = aws.awsErrorDetails() == null ? aws.getMessage() : aws.awsErrorDetails().errorMessage();
      if (code == null && aws.awsErrorDetails() != null && aws.awsErrorDetails().rawResponse() != null) {
        // Route 53 used to send InvalidChangeBatch as <InvalidChangeBatch><Messages><Message>...,
        // which the SDK does not parse; recover the code and messages from the raw body
        String raw = aws.awsErrorDetails().rawResponse().asUtf8String();
        Matcher root = LEGACY_ROOT.matcher(raw);
        if (root.find() && !"ErrorResponse".equals(root.group(1))) {
          code = root.group(1);
        }
        if (message == null) {
          List<String> messages = new ArrayList<>();
          Matcher m = LEGACY_MESSAGE.matcher(raw);
          while (m.find() && messages.size() < 10) {
            messages.add(m.group(1));
          }
          message = messages.isEmpty() ? null : String.join("; ", messages);
        }
        if (code == null && message == null && !raw.isBlank()) {
          message = "the reply is not a Route 53 error document (a proxy or load balancer in between?): " + excerpt(raw);
        }
      }
      int status = aws.statusCode();
      boolean transientFailure = isTransient(aws, code, status);
      String text = "Route 53 " + operation + " failed: " + (code == null ? "HTTP " + status : code) + ": "
          + (message == null ? "(no message)" : message) + " (HTTP " + status
          + (aws.requestId() == null ? "" : ", request id " + aws.requestId()) + ")" + hint(code);
      return transientFailure ? RouterException.transientFailure(text, e) : RouterException.permanentFailure(text, e);
    }
    if (e instanceof SdkServiceException svc) {
      boolean t = svc.statusCode() >= 500 || svc.statusCode() == 429 || svc.isThrottlingException();
      String text = "Route 53 " + operation + " failed: HTTP " + svc.statusCode() + ": " + svc.getMessage();
      return t ? RouterException.transientFailure(text, e) : RouterException.permanentFailure(text, e);
    }
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return RouterException.transientFailure("Route 53 " + operation + " timed out: " + e.getMessage(), e);
    }
    if (e instanceof AbortedException) {
      Thread.currentThread().interrupt(); // the SDK cleared the flag: the caller (a plan) must still see the interrupt
      return RouterException.permanentFailure("Route 53 " + operation + " was aborted (interrupted?): " + e.getMessage(), e);
    }
    if (e instanceof SdkClientException && (hasIoCause(e) || e.retryable())) {
      return RouterException.transientFailure("Route 53 " + operation + " could not reach Route 53: " + e.getMessage(), e);
    }
    return RouterException.permanentFailure("Route 53 " + operation + " failed: " + e.getMessage(), e);
  }

  private static String excerpt(String body) {
    String flat = body.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
    return flat.length() <= MAX_FOREIGN_BODY ? flat : flat.substring(0, MAX_FOREIGN_BODY) + "...";
  }

  private static boolean isTransient(AwsServiceException aws, String code, int status) {
    if (code != null && TRANSIENT_CODES.contains(code)) {
      return true;
    }
    return status >= 500 || status == 429 || aws.isThrottlingException();
  }

  private static boolean hasIoCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof IOException || c instanceof UncheckedIOException) {
        return true;
      }
    }
    return false;
  }

  private static String hint(String code) {
    if (code == null) {
      return "";
    }
    return switch (code) {
      case "NoSuchHostedZone" -> ": check the router's hostedZoneId (the id, e.g. Z0123456789ABC, of the zone that holds the records)";
      case "AccessDenied", "AccessDeniedException", "NotAuthorized", "NotAuthorizedException" ->
          ": grant the caller the IAM action this call needs (see the bluegreen-route53 README for the policy)";
      case "InvalidChangeBatch" -> ": Route 53 rejected the batch as a whole and changed nothing; the message says which record";
      case "InvalidInput" -> ": a request parameter was rejected; check the zone id, record names and types";
      case "NoSuchHealthCheck" -> ": check the health check id";
      default -> "";
    };
  }
}
