package io.bluegreen.dynamodb.internal;

import io.bluegreen.core.BlueGreenException;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Describes DynamoDB failures for messages and turns them into {@link BlueGreenException}s that say
 * what to do. Never retries: the lock fails its acquire at once (the plan aborts before touching the
 * route) and its heartbeat tries again at the next beat. Not part of the public API.
 *
 * <pre>{@code
 * catch (RuntimeException e) { throw DynamoDbFailures.translate("GetItem", table, e); }
 * }</pre>
 */
public final class DynamoDbFailures {

  private static final Set<String> THROTTLING = Set.of("provisionedthroughputexceededexception", "throttlingexception",
      "requestlimitexceeded", "limitexceededexception", "throttling");
  private static final Set<String> ACCESS = Set.of("accessdeniedexception", "unrecognizedclientexception", "expiredtokenexception",
      "invalidsignatureexception", "missingauthenticationtokenexception", "incompletesignatureexception");

  private DynamoDbFailures() {
  }

  /**
   * @param failure what the SDK threw
   * @return e.g. {@code "ProvisionedThroughputExceededException (HTTP 400): throttled"} — the AWS error
   *     code, status and a short classification, never a request's content
   */
  public static String describe(RuntimeException failure) {
    if (failure instanceof AwsServiceException ase) {
      String code = code(ase);
      return code + " (HTTP " + ase.statusCode() + ")" + classify(ase, code);
    }
    if (failure instanceof SdkClientException) {
      return "DynamoDB could not be reached: " + rootMessage(failure);
    }
    return failure.toString();
  }

  /**
   * @param failure what the SDK threw
   * @return whether a later attempt may succeed (throttling, 5xx, network)
   */
  public static boolean isTransient(RuntimeException failure) {
    if (failure instanceof AwsServiceException ase) {
      String code = code(ase).toLowerCase(Locale.ROOT);
      return THROTTLING.contains(code) || ase.isThrottlingException() || ase.statusCode() >= 500;
    }
    return failure instanceof SdkClientException;
  }

  /**
   * @param operation e.g. {@code "PutItem"}
   * @param table the table name
   * @param failure what the SDK threw
   * @return an exception whose message says what failed and what to do
   */
  public static BlueGreenException translate(String operation, String table, RuntimeException failure) {
    String what = "DynamoDB " + operation + " on lock table " + table + " failed: " + describe(failure);
    String fix;
    String code = failure instanceof AwsServiceException ase ? code(ase).toLowerCase(Locale.ROOT) : "";
    if (code.equals("resourcenotfoundexception")) {
      fix = "create the table (DynamoDbRouteLock.createTable, or the CloudFormation/CLI definition in the bluegreen-dynamodb README)"
          + " in the region and account the client uses";
    } else if (ACCESS.contains(code)) {
      fix = "grant the plan's role dynamodb:GetItem and dynamodb:PutItem on the table (see the IAM policy in the"
          + " bluegreen-dynamodb README)";
    } else if (isTransient(failure)) {
      fix = "nothing was changed on the route; run the plan again";
    } else {
      fix = "check the table's key schema (partition key routeId, type S) and the client's configuration";
    }
    return new BlueGreenException(what + "; " + fix, failure);
  }

  private static String classify(AwsServiceException ase, String code) {
    String lower = code.toLowerCase(Locale.ROOT);
    if (THROTTLING.contains(lower) || ase.isThrottlingException()) {
      return ": throttled";
    }
    if (ase.statusCode() >= 500) {
      return ": a DynamoDB server error";
    }
    return ase.awsErrorDetails() != null && ase.awsErrorDetails().errorMessage() != null
        ? ": " + ase.awsErrorDetails().errorMessage() : "";
  }

  private static String code(AwsServiceException ase) {
    String code = ase.awsErrorDetails() == null ? null : ase.awsErrorDetails().errorCode();
    return code == null || code.isBlank() ? ase.getClass().getSimpleName() : code;
  }

  private static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
