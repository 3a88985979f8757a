package io.bluegreen.dynamodb.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * DynamoDB clients for tests: a local endpoint, fake static credentials, us-east-1, SDK retries off
 * (as the README recommends), short timeouts, and an optional log of the operations sent.
 */
public final class DynamoDbClients {

  private DynamoDbClients() {
  }

  /** The operations a client sent, in order (one entry per HTTP attempt). */
  public static final class Operations implements ExecutionInterceptor {
    private final List<String> sent = new ArrayList<>();

    @Override
    public synchronized void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      sent.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
    }

    /** @return every operation sent so far, e.g. [GetItem, PutItem] */
    public synchronized List<String> sent() {
      return List.copyOf(sent);
    }

    /** @return how many requests were sent */
    public synchronized int count() {
      return sent.size();
    }

    /** @param from an earlier {@link #count()} @return the operations sent since */
    public synchronized List<String> since(int from) {
      return List.copyOf(sent.subList(from, sent.size()));
    }
  }

  /**
   * Cuts a client off from DynamoDB once {@link #begin()} ran: every request then goes to a local port
   * nobody listens on, so the real HTTP client gets a connection refused, as when DynamoDB is unreachable.
   */
  public static final class Outage implements ExecutionInterceptor {
    private final int deadPort = closedPort();
    private volatile boolean on;

    /** From now on, every request of the client is refused. */
    public void begin() {
      on = true;
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
      return on ? context.httpRequest().toBuilder().host("127.0.0.1").port(deadPort).build() : context.httpRequest();
    }

    private static int closedPort() {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * @param endpoint the local endpoint
   * @param operations records what is sent, or null
   * @return a client
   */
  public static DynamoDbClient client(URI endpoint, Operations operations) {
    return client(endpoint, operations, null);
  }

  /**
   * @param endpoint the local endpoint
   * @param operations records what is sent, or null
   * @param extra another interceptor (e.g. an {@link Outage}), or null
   * @return a client
   */
  public static DynamoDbClient client(URI endpoint, Operations operations, ExecutionInterceptor extra) {
    return DynamoDbClient.builder()
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
        .httpClientBuilder(ApacheHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)))
        .overrideConfiguration(o -> {
          o.retryStrategy(AwsRetryStrategy.doNotRetry());
          if (operations != null) {
            o.addExecutionInterceptor(operations);
          }
          if (extra != null) {
            o.addExecutionInterceptor(extra);
          }
        })
        .build();
  }
}
