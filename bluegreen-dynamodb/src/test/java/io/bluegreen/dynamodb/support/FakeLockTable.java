package io.bluegreen.dynamodb.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted DynamoDB lock table on in-process WireMock (127.0.0.1, random port), for the faults
 * moto cannot produce: it keeps items by route id (GetItem returns the item, PutItem stores it; no
 * condition is evaluated here, moto does that) and lets a test put failures in front of it:
 * {@code ConditionalCheckFailedException} with the item another holder wrote, throttling, HTTP 500,
 * connection resets, and writes that land but whose reply is lost.
 */
public final class FakeLockTable implements AutoCloseable {

  /** Which requests a fault hits. */
  public enum Target {
    /** Acquire's GetItem (and its re-read). */
    GET_ITEM,
    /** The PutItem that takes the lock (its condition names the partition key). */
    ACQUIRE,
    /** A heartbeat: PutItem conditioned on the lease id, with an owner. */
    RENEWAL,
    /** A release: PutItem conditioned on the lease id, with no owner. */
    RELEASE
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TARGET_PREFIX = "DynamoDB_20120810.";

  private final WireMockServer server;
  private final Map<String, JsonNode> items = new LinkedHashMap<>();
  private final AtomicInteger scenarios = new AtomicInteger();

  private FakeLockTable() {
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().extensions(new Handler()));
    server.start();
    server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withTransformers("dynamodb-fake")));
  }

  /** @return a started fake with an empty table */
  public static FakeLockTable start() {
    return new FakeLockTable();
  }

  /** @return its endpoint */
  public URI endpoint() {
    return URI.create(server.baseUrl());
  }

  /** @return requests received so far */
  public int requests() {
    return server.getAllServeEvents().size();
  }

  /** @param routeId a route @return the stored item, or null */
  public synchronized JsonNode item(String routeId) {
    return items.get(routeId);
  }

  /** @param item an item in DynamoDB JSON ({"routeId":{"S":...},...}) to store as if someone wrote it */
  public synchronized void put(String item) {
    JsonNode node = parse(item);
    items.put(node.path("routeId").path("S").asText(), node);
  }

  /**
   * The next {@code times} requests of {@code target} fail with a DynamoDB error.
   *
   * @param target which requests
   * @param times how many
   * @param status HTTP status
   * @param code e.g. ProvisionedThroughputExceededException
   * @param extraJson more members of the error body (e.g. {@code "Item":{...}}), or null
   * @return this
   */
  public FakeLockTable failNext(Target target, int times, int status, String code, String extraJson) {
    String body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#" + code + "\",\"message\":\"scripted " + code + "\""
        + (extraJson == null ? "" : "," + extraJson) + "}";
    return script(target, times, aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body));
  }

  /**
   * The next {@code times} requests of {@code target} get this reply as it is (e.g. a proxy's page).
   *
   * @param target which requests
   * @param times how many
   * @param status HTTP status
   * @param contentType the reply's Content-Type
   * @param body the reply's body
   * @return this
   */
  public FakeLockTable answerNext(Target target, int times, int status, String contentType, String body) {
    return script(target, times, aResponse().withStatus(status).withHeader("Content-Type", contentType).withBody(body));
  }

  /**
   * The next {@code times} requests of {@code target} get their connection reset; with {@code landFirst}
   * the fake applies the request before resetting (the write landed, its reply is lost).
   *
   * @param target which requests
   * @param times how many
   * @param landFirst whether the request is applied first
   * @return this
   */
  public FakeLockTable resetNext(Target target, int times, boolean landFirst) {
    ResponseDefinitionBuilder reset = aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    return script(target, times, landFirst ? reset.withTransformers("dynamodb-fake") : reset);
  }

  private FakeLockTable script(Target target, int times, ResponseDefinitionBuilder response) {
    String scenario = "fault-" + scenarios.incrementAndGet();
    for (int i = 0; i < times; i++) {
      String state = i == 0 ? Scenario.STARTED : "after-" + i;
      MappingBuilder m = post(anyUrl()).atPriority(1).inScenario(scenario).whenScenarioStateIs(state)
          .withHeader("X-Amz-Target", equalTo(TARGET_PREFIX + (target == Target.GET_ITEM ? "GetItem" : "PutItem")))
          .willSetStateTo("after-" + (i + 1));
      m = switch (target) {
        case GET_ITEM -> m;
        case ACQUIRE -> m.withRequestBody(matchingJsonPath("$.ConditionExpression", containing("#k")));
        case RENEWAL -> m.withRequestBody(matchingJsonPath("$.ConditionExpression", equalTo("#l = :mine")))
            .withRequestBody(matchingJsonPath("$.Item.owner"));
        case RELEASE -> m.withRequestBody(matchingJsonPath("$.Item.releasedBy"));
      };
      server.stubFor(m.willReturn(response));
    }
    return this;
  }

  /** @return the operations received, in order, e.g. [GetItem, PutItem] */
  public List<String> operations() {
    List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents()); // newest first
    Collections.reverse(events);
    return events.stream().map(e -> e.getRequest().getHeader("X-Amz-Target").replace(TARGET_PREFIX, "")).toList();
  }

  @Override
  public void close() {
    server.stop();
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Handler implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
      String target = serveEvent.getRequest().getHeader("X-Amz-Target");
      JsonNode request = parse(serveEvent.getRequest().getBodyAsString());
      ObjectNode reply = JSON.createObjectNode();
      synchronized (FakeLockTable.this) {
        if (target.endsWith(".GetItem")) {
          JsonNode item = items.get(request.path("Key").path("routeId").path("S").asText());
          if (item != null) {
            reply.set("Item", item);
          }
        } else if (target.endsWith(".PutItem")) {
          items.put(request.path("Item").path("routeId").path("S").asText(), request.path("Item"));
        } else {
          return aResponse().withStatus(400).withBody("{\"__type\":\"UnknownOperationException\"}").build();
        }
      }
      ResponseDefinition scripted = serveEvent.getResponseDefinition();
      ResponseDefinitionBuilder answer = aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
          .withBody(reply.toString());
      if (scripted.getFault() != null) {
        answer = answer.withFault(scripted.getFault());
      }
      return answer.build();
    }

    @Override
    public String getName() {
      return "dynamodb-fake";
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }
  }
}
