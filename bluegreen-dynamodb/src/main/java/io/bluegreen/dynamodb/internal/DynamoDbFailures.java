package io.bluegreen.dynamodb.internal;

import io.bluegreen.core.BlueGreenException;
import io.bluegreen.core.Redaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Describes DynamoDB failures for messages and turns them into {@link BlueGreenException}s that say
 * what to do. Never retries: the lock fails its acquire at once (the plan aborts before touching the
 * route) and its heartbeat tries again at the next beat. No credential of the client reaches a
 * message or a cause chain: DynamoDB's text passes {@link Redaction} with the client's access key
 * id, secret key and session token as known secrets. Not part of the public API.
 *
 * <pre>{@code
 * catch (RuntimeException e) { throw DynamoDbFailures.translate(dynamo, "GetItem", table, e); }
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
   * @param client the client that failed (its credentials are kept out of the text)
   * @param failure what the SDK threw
   * @return e.g. {@code "ProvisionedThroughputExceededException (HTTP 400): throttled"} — the AWS error
   *     code, status and a short classification, never a request's content
   */
  public static String describe(SdkClient client, RuntimeException failure) {
    return describe(failure, secretsOf(client));
  }

  private static String describe(RuntimeException failure, List<String> secrets) {
    if (failure instanceof AwsServiceException ase) {
      String code = code(ase);
      return Redaction.text(code + " (HTTP " + ase.statusCode() + ")" + classify(ase, code), secrets);
    }
    if (failure instanceof SdkClientException) {
      return "DynamoDB could not be reached: " + Redaction.text(rootMessage(failure), secrets);
    }
    return Redaction.text(failure.toString(), secrets);
  }

  /**
   * Reads the credentials the client signs with, without waiting (a provider that would have to
   * fetch them first contributes nothing).
   *
   * @param client a DynamoDB client (may be a test double without a configuration)
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
   * @param client the client that failed (its credentials are kept out of the message and the cause chain)
   * @param operation e.g. {@code "PutItem"}
   * @param table the table name
   * @param failure what the SDK threw
   * @return an exception whose message says what failed and what to do
   */
  public static BlueGreenException translate(SdkClient client, String operation, String table, RuntimeException failure) {
    List<String> secrets = secretsOf(client);
    String what = "DynamoDB " + operation + " on lock table " + table + " failed: " + describe(failure, secrets);
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
    return new BlueGreenException(what + "; " + fix, Redaction.exception(failure, secrets));
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
