package io.bluegreen.route53.internal;

import io.bluegreen.core.Redaction;
import io.bluegreen.core.RouterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Turns AWS SDK failures into {@link RouterException}s marked transient or permanent, keeping the
 * AWS error code and message. The engine retries transient ones with backoff and jitter; the
 * router itself never loops (configure the SDK client's own retries as you see fit). No credential
 * of the client reaches a message or a cause chain: Route 53's text (or a proxy's page) and the SDK's
 * exception pass {@link Redaction} with the client's access key id, secret key and session token as
 * known secrets.
 *
 * <pre>{@code
 * try { route53.getChange(r -> r.id(id)); }
 * catch (SdkException e) { throw Route53Errors.wrap(route53, "GetChange " + id, e); }
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
   * @param client the client that failed (its credentials are kept out of the message)
   * @param operation what was called and on what, e.g. "ChangeResourceRecordSets on zone Z123"
   * @param e the SDK's exception
   * @return the exception to throw, its cause redacted
   */
  public static RouterException wrap(SdkClient client, String operation, SdkException e) {
    List<String> secrets = secretsOf(client);
    Throwable cause = redacted(e, secrets);
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
      String text = "Route 53 " + operation + " failed: " + (code == null ? "HTTP " + status : Redaction.text(code, secrets)) + ": "
          + (message == null ? "(no message)" : Redaction.text(message, secrets)) + " (HTTP " + status
          + (aws.requestId() == null ? "" : ", request id " + aws.requestId()) + ")" + hint(code);
      return transientFailure ? RouterException.transientFailure(text, cause) : RouterException.permanentFailure(text, cause);
    }
    String said = Redaction.text(e.getMessage(), secrets);
    if (e instanceof SdkServiceException svc) {
      boolean t = svc.statusCode() >= 500 || svc.statusCode() == 429 || svc.isThrottlingException();
      String text = "Route 53 " + operation + " failed: HTTP " + svc.statusCode() + ": " + said;
      return t ? RouterException.transientFailure(text, cause) : RouterException.permanentFailure(text, cause);
    }
    if (e instanceof ApiCallTimeoutException || e instanceof ApiCallAttemptTimeoutException) {
      return RouterException.transientFailure("Route 53 " + operation + " timed out: " + said, cause);
    }
    if (e instanceof AbortedException) {
      Thread.currentThread().interrupt(); // the SDK cleared the flag: the caller (a plan) must still see the interrupt
      return RouterException.permanentFailure("Route 53 " + operation + " was aborted (interrupted?): " + said, cause);
    }
    if (e instanceof SdkClientException && (hasIoCause(e) || e.retryable())) {
      return RouterException.transientFailure("Route 53 " + operation + " could not reach Route 53: " + said, cause);
    }
    return RouterException.permanentFailure("Route 53 " + operation + " failed: " + said, cause);
  }

  /**
   * Reads the credentials the client signs with, without waiting (a provider that would have to
   * fetch them first contributes nothing).
   *
   * @param client a Route 53 client (may be null, or a test double without a configuration)
   * @return its access key id, secret key and session token, as far as they can be read
   */
  public static List<String> secretsOf(SdkClient client) {
    List<String> secrets = new ArrayList<>();
    try {
      if (client != null && client.serviceClientConfiguration() instanceof AwsServiceClientConfiguration c && c.credentialsProvider() != null) {
        AwsCredentialsIdentity id = c.credentialsProvider().resolveIdentity().getNow(null);
        if (id != null) {
          secrets.add(id.accessKeyId());
          secrets.add(id.secretAccessKey());
          if (id instanceof AwsSessionCredentialsIdentity session) {
            secrets.add(session.sessionToken());
          }
        }
      }
    } catch (RuntimeException unavailable) {
      // no configuration, or credentials that cannot be resolved now: structural redaction still applies
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    return secrets;
  }

  /**
   * @param failure what the SDK threw
   * @param secrets values to keep out of messages
   * @return {@code failure}, or a copy of the same type (error code, status, request id kept) with
   *     redacted messages and without the raw reply body
   */
  public static Throwable redacted(Throwable failure, Collection<String> secrets) {
    return Redaction.exception(failure, secrets, (original, redact, cause) -> {
      if (!(original instanceof SdkException sdk)) {
        return null;
      }
      SdkException.Builder b = sdk.toBuilder();
      b.message(redact.apply(b.message()));
      b.cause(cause);
      if (original instanceof AwsServiceException ase && ase.awsErrorDetails() != null) {
        ((AwsServiceException.Builder) b).awsErrorDetails(ase.awsErrorDetails().toBuilder()
            .errorMessage(redact.apply(ase.awsErrorDetails().errorMessage())).rawResponse(null).build());
      }
      return b.build();
    });
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
