package io.bluegreen.aws.internal;

import io.bluegreen.core.Redaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.awscore.AwsServiceClientConfiguration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Keeps an AWS client's credentials out of messages and cause chains: the access key id, secret key
 * and session token its credentials provider holds are known secrets for {@link Redaction}, and an
 * SDK exception whose message carries one (a service echoing them, a proxy's page) is replaced by a
 * copy of the same type, error code, status and request id, with redacted messages and without the
 * raw reply body. Not part of the public API.
 *
 * <pre>{@code
 * List<String> secrets = AwsRedaction.secretsOf(elb);
 * throw RouterException.permanentFailure(Redaction.text(e.getMessage(), secrets), AwsRedaction.redacted(e, secrets));
 * }</pre>
 */
public final class AwsRedaction {

  private AwsRedaction() {
  }

  /**
   * Reads the credentials the client signs with, without waiting: a provider that would have to
   * fetch them first (it has none cached) contributes nothing.
   *
   * @param client an AWS client (may be null, or a test double without a configuration)
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
      // a client without a configuration, or credentials that cannot be resolved now: structural redaction still applies
    }
    secrets.removeIf(s -> s == null || s.isBlank());
    return secrets;
  }

  /**
   * @param failure what the SDK threw
   * @param secrets values to keep out of messages
   * @return {@code failure}, or a copy of the same type with redacted messages and no raw reply body
   */
  public static Throwable redacted(Throwable failure, Collection<String> secrets) {
    return Redaction.exception(failure, secrets, (original, redact, cause) -> {
      if (original instanceof AwsServiceException ase) {
        AwsServiceException.Builder b = ase.toBuilder();
        b.message(redact.apply(b.message()));
        if (ase.awsErrorDetails() != null) {
          b.awsErrorDetails(ase.awsErrorDetails().toBuilder().errorMessage(redact.apply(ase.awsErrorDetails().errorMessage()))
              .rawResponse(null).build());
        }
        b.cause(cause);
        return b.build();
      }
      if (original instanceof SdkException sdk) {
        SdkException.Builder b = sdk.toBuilder();
        b.message(redact.apply(b.message()));
        b.cause(cause);
        return b.build();
      }
      return null;
    });
  }
}
