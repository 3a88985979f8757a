package io.bluegreen.examples.alb;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The few ELBv2 calls the ALB example makes, faked in this JVM on WireMock (127.0.0.1, a free port):
 * one load balancer, one HTTP listener whose default action forwards to target groups {@code shop-blue}
 * (weight 100) and {@code shop-green} (weight 0), each with two healthy targets. It speaks the AWS Query
 * protocol the SDK uses: form-encoded POSTs naming an {@code Action}, XML answers. DescribeListeners,
 * ModifyListener (only the forward weights are kept), DescribeTargetGroups and DescribeTargetHealth.
 *
 * <pre>{@code
 * try (FakeAlb alb = FakeAlb.start()) {
 *   ElasticLoadBalancingV2Client elb = AlbListenerExample.localClient(alb.endpoint());
 *   AlbListenerExample.run(elb, FakeAlb.LISTENER, FakeAlb.BLUE, FakeAlb.GREEN, VirtualClock.create(), System.out);
 *   alb.weights();                  // {...shop-blue...=0, ...shop-green...=100}
 *   alb.requests("ModifyListener"); // 5: one write per stage
 * }
 * }</pre>
 */
public final class FakeAlb implements AutoCloseable {

  private static final String ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:";
  /** The load balancer. */
  public static final String LOAD_BALANCER = ARN + "loadbalancer/app/shop/50dc6c495c0c9188";
  /** The listener the example switches. */
  public static final String LISTENER = ARN + "listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2";
  /** Blue's target group. */
  public static final String BLUE = ARN + "targetgroup/shop-blue/73e2d6bc24d8a067";
  /** Green's target group. */
  public static final String GREEN = ARN + "targetgroup/shop-green/2453ed029918f21f";

  private final WireMockServer server;
  private final Map<String, Integer> weights = new LinkedHashMap<>();
  private final Map<String, Integer> requests = new TreeMap<>();

  private FakeAlb() {
    weights.put(BLUE, 100);
    weights.put(GREEN, 0);
    ResponseDefinitionTransformerV2 elb = new ResponseDefinitionTransformerV2() {
      @Override
      public ResponseDefinition transform(ServeEvent event) {
        return handle(form(event.getRequest().getBodyAsString()));
      }

      @Override
      public String getName() {
        return "fake-elbv2";
      }
    };
    server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().jettyAcceptors(1).extensions(elb));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(ok()));
  }

  /** @return a running fake, all traffic on blue */
  public static FakeAlb start() {
    return new FakeAlb();
  }

  /** @return the endpoint to give the SDK client ({@code endpointOverride}) */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** @return target group ARN to weight in the listener's forward action now */
  public synchronized Map<String, Integer> weights() {
    return new LinkedHashMap<>(weights);
  }

  /**
   * @param action e.g. "ModifyListener"
   * @return how many requests of that action the fake answered
   */
  public synchronized int requests(String action) {
    return requests.getOrDefault(action, 0);
  }

  private synchronized ResponseDefinition handle(Map<String, String> p) {
    String action = p.getOrDefault("Action", "?");
    requests.merge(action, 1, Integer::sum);
    return switch (action) {
      case "DescribeListeners" -> LISTENER.equals(p.get("ListenerArns.member.1"))
          ? xml(200, "DescribeListeners", listener())
          : error("ListenerNotFound", "One or more listeners not found");
      case "ModifyListener" -> {
        String prefix = "DefaultActions.member.1.ForwardConfig.TargetGroups.member.";
        Map<String, Integer> next = new LinkedHashMap<>();
        for (int i = 1; p.containsKey(prefix + i + ".TargetGroupArn"); i++) {
          next.put(p.get(prefix + i + ".TargetGroupArn"), Integer.parseInt(p.getOrDefault(prefix + i + ".Weight", "1")));
        }
        if (!LISTENER.equals(p.get("ListenerArn")) || next.isEmpty() || !weights.keySet().containsAll(next.keySet())) {
          yield error("ValidationError", "this fake takes one forward action to " + weights.keySet());
        }
        weights.replaceAll((tg, w) -> next.getOrDefault(tg, 0));
        yield xml(200, "ModifyListener", listener());
      }
      case "DescribeTargetGroups" -> {
        StringBuilder groups = new StringBuilder();
        for (int i = 1; p.containsKey("TargetGroupArns.member." + i); i++) {
          String tg = p.get("TargetGroupArns.member." + i);
          if (!weights.containsKey(tg)) {
            yield error("TargetGroupNotFound", "One or more target groups not found");
          }
          groups.append("<member><TargetGroupArn>").append(tg).append("</TargetGroupArn><TargetGroupName>")
              .append(tg.replaceAll(".*:targetgroup/([^/]+)/.*", "$1")).append("</TargetGroupName><Protocol>HTTP</Protocol>")
              .append("<Port>8080</Port><TargetType>ip</TargetType><LoadBalancerArns><member>").append(LOAD_BALANCER)
              .append("</member></LoadBalancerArns></member>");
        }
        yield xml(200, "DescribeTargetGroups", "<TargetGroups>" + groups + "</TargetGroups>");
      }
      case "DescribeTargetHealth" -> {
        String tg = p.get("TargetGroupArn");
        if (!weights.containsKey(tg)) {
          yield error("TargetGroupNotFound", "One or more target groups not found");
        }
        String net = BLUE.equals(tg) ? "10.0.1." : "10.0.2.";
        StringBuilder targets = new StringBuilder();
        for (int i = 10; i < 12; i++) {
          targets.append("<member><Target><Id>").append(net).append(i).append("</Id><Port>8080</Port></Target>")
              .append("<HealthCheckPort>8080</HealthCheckPort><TargetHealth><State>healthy</State></TargetHealth></member>");
        }
        yield xml(200, "DescribeTargetHealth", "<TargetHealthDescriptions>" + targets + "</TargetHealthDescriptions>");
      }
      default -> error("InvalidAction", "this fake does not implement " + action);
    };
  }

  /** The listener as DescribeListeners and ModifyListener return it. */
  private String listener() {
    StringBuilder groups = new StringBuilder();
    weights.forEach((tg, w) -> groups.append("<member><TargetGroupArn>").append(tg).append("</TargetGroupArn><Weight>").append(w)
        .append("</Weight></member>"));
    return """
        <Listeners><member>
          <LoadBalancerArn>%s</LoadBalancerArn><ListenerArn>%s</ListenerArn><Protocol>HTTP</Protocol><Port>80</Port>
          <DefaultActions><member>
            <Type>forward</Type><Order>1</Order>
            <ForwardConfig>
              <TargetGroups>%s</TargetGroups>
              <TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig>
            </ForwardConfig>
          </member></DefaultActions>
        </member></Listeners>""".formatted(LOAD_BALANCER, LISTENER, groups);
  }

  private static ResponseDefinition xml(int status, String action, String result) {
    return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "text/xml").withBody("""
        <%1$sResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
          <%1$sResult>%2$s</%1$sResult>
          <ResponseMetadata><RequestId>%3$s</RequestId></ResponseMetadata>
        </%1$sResponse>""".formatted(action, result, UUID.randomUUID())).build();
  }

  private static ResponseDefinition error(String code, String message) {
    return ResponseDefinitionBuilder.responseDefinition().withStatus(400).withHeader("Content-Type", "text/xml").withBody("""
        <ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
          <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
          <RequestId>%s</RequestId>
        </ErrorResponse>""".formatted(code, message, UUID.randomUUID())).build();
  }

  private static Map<String, String> form(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return params;
  }

  /** Stops the fake. */
  @Override
  public void close() {
    server.stop();
  }

  @Override
  public String toString() {
    return "in-process ELBv2 fake at " + endpoint();
  }
}
