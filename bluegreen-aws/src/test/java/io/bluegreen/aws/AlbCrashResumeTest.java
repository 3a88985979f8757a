package io.bluegreen.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.bluegreen.aws.support.AlbLockedPlan.BLUE;
import static io.bluegreen.aws.support.AlbLockedPlan.GREEN;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.bluegreen.aws.support.AlbLockedPlan;
import io.bluegreen.aws.support.MotoAlb;
import io.bluegreen.core.Router;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.dynamodb.DynamoDbRouteLock;
import io.bluegreen.testkit.ChildJvm;
import io.bluegreen.testkit.CrashResumeContractTest;
import io.bluegreen.testkit.Evidence;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The crash-resume kit for an ALB listener plan locked with a {@link DynamoDbRouteLock}, on moto
 * server: the child runs {@link AlbLockedPlan}; every ELB request of the child and of the re-run goes
 * through a WireMock proxy in front of moto, which records it (and, for the in-flight case, holds
 * back the reply to the stage-3 {@code ModifyListener} after moto applied it).
 */
@Evidence(backend = "moto server 5.2.5 (ELBv2, DynamoDB) behind a recording WireMock proxy;"
    + " the first plan runs in a child JVM killed with SIGKILL")
class AlbCrashResumeTest extends CrashResumeContractTest {

  private final MotoAlb alb = MotoAlb.create(MotoAlb.options());
  private final WireMockServer proxy = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
  private final DynamoDbClient dynamo = AlbLockedPlan.dynamo(alb.endpoint);
  private final String table = "bluegreen-locks-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);

  AlbCrashResumeTest() {
    proxy.start();
    proxy.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().proxiedFrom(alb.endpoint.toString())));
    DynamoDbRouteLock.createTable(dynamo, table);
  }

  @AfterEach
  void stop() {
    proxy.stop();
    dynamo.close();
    alb.close();
  }

  @Override
  protected ChildJvm startChild() {
    return ChildJvm.start("alb-crash-child", AlbLockedPlan.class, "crash", proxy.baseUrl(), alb.endpoint.toString(), table,
        alb.listenerArn, alb.blueTg, alb.greenTg, "child", CHILD);
  }

  @Override
  protected SwitchPlan.Builder resumer(InstantSource lockTime) {
    return AlbLockedPlan.plan(AlbLockedPlan.elb(URI.create(proxy.baseUrl()), "resumer"), alb.listenerArn, alb.blueTg, alb.greenTg,
        AlbLockedPlan.lock(dynamo, table, lockTime), RESUMER, SCHEDULE);
  }

  @Override
  protected Router reader() {
    return AlbListenerRouter.builder(alb.admin).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg)
        .build();
  }

  @Override
  protected LockState lockState() {
    return AlbLockedPlan.lockState(dynamo, table, reader().routeId());
  }

  @Override
  protected int routeRequests() {
    return requests().size();
  }

  @Override
  protected List<Integer> greenWeightsWrittenSince(int fromRequest) {
    List<Integer> weights = new ArrayList<>();
    List<LoggedRequest> all = requests();
    for (LoggedRequest r : all.subList(fromRequest, all.size())) {
      if (!r.getBodyAsString().contains("Action=ModifyListener")) {
        continue;
      }
      Map<String, String> form = form(r.getBodyAsString());
      String arnKey = form.entrySet().stream().filter(e -> e.getKey().endsWith(".TargetGroupArn") && e.getValue().equals(alb.greenTg))
          .map(Map.Entry::getKey).findFirst().orElseThrow(() -> new AssertionError("no green target group in " + form));
      weights.add(Integer.parseInt(form.get(arnKey.replace(".TargetGroupArn", ".Weight"))));
    }
    return weights;
  }

  @Override
  protected void holdBackTheReplyToTheHalfWayWrite() {
    proxy.stubFor(post(anyUrl()).atPriority(1).withRequestBody(containing("Action=ModifyListener"))
        .withRequestBody(containing("Weight=50")).willReturn(aResponse().proxiedFrom(alb.endpoint.toString()).withFixedDelay(120_000)));
  }

  @Override
  protected String what() {
    return "ALB listener (moto, DynamoDbRouteLock)";
  }

  /** @return every ELB request the proxy received, child's and re-run's, in the order received */
  private List<LoggedRequest> requests() {
    return proxy.findAll(anyRequestedFor(anyUrl()));
  }

  private static Map<String, String> form(String body) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      m.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }
}
