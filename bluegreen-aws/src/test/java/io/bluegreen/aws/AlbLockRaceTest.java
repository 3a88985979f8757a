package io.bluegreen.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.bluegreen.aws.support.AlbLockedPlan.BLUE;
import static io.bluegreen.aws.support.AlbLockedPlan.GREEN;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.bluegreen.aws.support.AlbLockedPlan;
import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.Evidence;
import io.bluegreen.testkit.EvidenceLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Two pipelines on two machines — two child JVMs, each with its own clients and its own
 * {@link DynamoDbRouteLock} on one moto table — start the same ALB listener plan at the same moment
 * (both wait, ready, for one "GO"). Exactly one runs; the other fails fast, naming the holder, without
 * reading or writing the listener; and the listener sees only the winner's writes. Every ELB request
 * goes through a recording WireMock proxy in front of moto, tagged with the runner that sent it.
 *
 * <p>Real waits, all bounded: the children's start-up, and the winner's three 1 s stages (plans in
 * other JVMs run in real time), polled through their stdout with a 90 s limit.
 */
@Evidence(backend = "moto server 5.2.5 (ELBv2, DynamoDB) behind a recording WireMock proxy;"
    + " two plans in two child JVMs")
class AlbLockRaceTest {

  private static final Duration LIMIT = Duration.ofSeconds(90);

  private final MotoAlb alb = MotoAlb.create(MotoAlb.options());
  private final WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final DynamoDbClient dynamo = AlbLockedPlan.dynamo(alb.endpoint);
  private final String table = "bluegreen-locks-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
  private final List<ChildJvm> children = new ArrayList<>();

  AlbLockRaceTest() {
    proxy.start();
    proxy.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(alb.endpoint.toString())));
    DynamoDbRouteLock.createTable(dynamo, table);
  }

  @AfterEach
  void stop() throws InterruptedException {
    try {
      for (ChildJvm c : children) {
        c.close();
      }
    } finally {
      proxy.stop();
      dynamo.close();
      alb.close();
    }
  }

  private ChildJvm start(String runner) {
    ChildJvm c = ChildJvm.start("alb-race-" + runner, AlbLockedPlan.class, "race", proxy.baseUrl(), alb.endpoint.toString(), table,
        alb.listenerArn, alb.blueTg, alb.greenTg, runner, "pipeline-" + runner + "@" + runner);
    children.add(c);
    return c;
  }

  @Test
  void twoJvmsRacingForOneListenerExactlyOneRunsAndTheOtherFailsFastNamingIt() throws Exception {
    ChildJvm a = start("A");
    ChildJvm b = start("B");
    a.awaitLine("READY", LIMIT);
    b.awaitLine("READY", LIMIT);
    a.send("GO");
    b.send("GO");

    List<String> finished = new ArrayList<>();
    for (ChildJvm c : List.of(a, b)) {
      finished.add(c.awaitLine("FINISHED ", LIMIT));
    }
    assertThat(a.awaitExit(LIMIT)).isZero();
    assertThat(b.awaitExit(LIMIT)).isZero();
    assertThat(finished).as("exactly one COMPLETED, one ABORTED").filteredOn(l -> l.startsWith("FINISHED COMPLETED")).hasSize(1);
    assertThat(finished).filteredOn(l -> l.startsWith("FINISHED ABORTED")).hasSize(1);
    String winner = finished.get(0).startsWith("FINISHED COMPLETED") ? "A" : "B";
    String loser = winner.equals("A") ? "B" : "A";
    ChildJvm loserJvm = winner.equals("A") ? b : a;
    String loserLine = finished.get(winner.equals("A") ? 1 : 0);

    String route = AlbListenerRouter.builder(alb.admin).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, alb.greenTg).build().routeId();
    assertThat(loserLine).as("the loser names the holder").contains("writes=0")
        .contains("route " + route + " is locked by pipeline-" + winner + "@" + winner + " (DynamoDB table " + table + ", version 1");
    assertThat(loserJvm.lines()).as("the loser never held the lock").noneMatch(l -> l.startsWith("LOCKED"));

    List<LoggedRequest> journal = proxy.findAll(anyRequestedFor(anyUrl()));
    assertThat(journal).as("the loser sent no ELB request at all: it failed before reading the listener")
        .noneMatch(r -> loser.equals(r.getHeader(AlbLockedPlan.RUNNER_HEADER)));
    List<String> writers = journal.stream().filter(r -> r.getBodyAsString().contains("Action=ModifyListener"))
        .map(r -> r.getHeader(AlbLockedPlan.RUNNER_HEADER)).toList();
    assertThat(writers).as("the listener saw only the winner's writes, one per stage").containsExactly(winner, winner, winner);
    assertThat(AlbListenerRouter.builder(alb.admin).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg)
        .environment(GREEN, alb.greenTg).build().current()).isEqualTo(TrafficSplit.allTo(GREEN, BLUE));
    Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).consistentRead(true)
        .key(Map.of(DynamoDbRouteLock.PARTITION_KEY, AttributeValue.fromS(route)))).item();
    assertThat(item).as("released by the winner, version 1 (the loser never acquired)").doesNotContainKey("owner")
        .satisfies(i -> assertThat(i.get("version").n()).isEqualTo("1"));

    String how = "AlbLockRaceTest (bluegreen-aws, moto): two child JVMs, one ALB listener, DynamoDbRouteLock, started on one GO";
    EvidenceLog.figure("two JVMs racing for one ALB listener", "1 COMPLETED (" + writers.size() + " listener writes, all the winner's),"
        + " 1 ABORTED at once with 0 requests to the listener, naming the winner as the holder (owner, version, since, expiry)", how);
  }
}
