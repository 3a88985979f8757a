package io.bluegreen.aws.support;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import software.amazon.awssdk.services.elasticloadbalancingv2.ElasticLoadBalancingV2Client;

/**
 * A scripted ELBv2 endpoint on WireMock (in-process, 127.0.0.1) for what moto cannot do: throttling,
 * 5xx, permanent errors at a chosen write, latency, real target health states, and AWS's habit of
 * never returning an OIDC client secret. It speaks the AWS Query protocol: form-encoded POSTs with
 * {@code Action=...}, XML answers built from the templates in {@code src/test/resources/elb}.
 *
 * <p>It holds one listener and one listener rule of that listener, whose actions are kept flattened
 * exactly as the Query protocol names them ({@code member.2.ForwardConfig.TargetGroups.member.1.Weight});
 * ModifyListener / ModifyRule replace them with what the request sent (minus write-only secrets, as AWS
 * does), DescribeListeners / DescribeRules render them back as XML.
 *
 * <p>The fake's state is served by one catch-all stub at a low priority ({@link #STATE_PRIORITY}), so a
 * test can put WireMock stubs of its own in front of it ({@link #server()}, priority 1): a stub that
 * matches answers instead of the fake (and changes nothing), one that stops matching (a spent scenario)
 * lets requests through to the fake again.
 */
public final class FakeElb implements AutoCloseable {

  public static final String ACCOUNT = "123456789012";
  public static final String LOAD_BALANCER = "arn:aws:elasticloadbalancing:us-east-1:" + ACCOUNT + ":loadbalancer/app/shop/50dc6c495c0c9188";
  public static final String LISTENER = "arn:aws:elasticloadbalancing:us-east-1:" + ACCOUNT + ":listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2";
  public static final String BLUE = "arn:aws:elasticloadbalancing:us-east-1:" + ACCOUNT + ":targetgroup/shop-blue/73e2d6bc24d8a067";
  public static final String GREEN = "arn:aws:elasticloadbalancing:us-east-1:" + ACCOUNT + ":targetgroup/shop-green/2453ed029918f21f";
  public static final String RULE = "arn:aws:elasticloadbalancing:us-east-1:" + ACCOUNT
      + ":listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";
  /** The priority of the stub serving the fake's state: stubs at a higher priority (a smaller number) answer first. */
  public static final int STATE_PRIORITY = 10;

  /** A scripted answer for matching requests, used {@code times} times. */
  private static final class Fault {
    final String action;
    final Predicate<Map<String, String>> when;
    int remaining;
    final int status;
    final String code;
    final int delayMillis;
    final Map<String, String> headers;

    Fault(String action, Predicate<Map<String, String>> when, int times, int status, String code, int delayMillis, Map<String, String> headers) {
      this.action = action;
      this.when = when;
      this.remaining = times;
      this.status = status;
      this.code = code;
      this.delayMillis = delayMillis;
      this.headers = headers;
    }
  }

  private final WireMockServer server;
  public final RequestCounter counter = new RequestCounter();
  private final Map<String, String> initialActions;
  private Map<String, String> actions;
  private final Map<String, String> initialRuleActions;
  private Map<String, String> ruleActions;
  private final Map<String, List<String[]>> health = new LinkedHashMap<>();
  private final List<Fault> faults = new ArrayList<>();
  private final List<Map<String, String>> requests = new ArrayList<>();

  private FakeElb() {
    this.initialActions = loadActions("listener-oidc-sticky.actions");
    this.initialRuleActions = loadActions("rule-forward.actions");
    resetState();
    ResponseDefinitionTransformerV2 transformer = new ResponseDefinitionTransformerV2() {
      @Override
      public ResponseDefinition transform(ServeEvent serveEvent) {
        ResponseDefinition answer = handle(parseForm(serveEvent.getRequest().getBodyAsString()));
        // a stub in front that names this transformer and a delay gets the fake's real answer (applied at once) late
        Integer delay = serveEvent.getResponseDefinition().getFixedDelayMilliseconds();
        return delay == null ? answer : ResponseDefinitionBuilder.like(answer).withFixedDelay(delay).build();
      }

      @Override
      public String getName() {
        return "fake-elb";
      }

      @Override
      public boolean applyGlobally() {
        return false; // only the state stub: stubs a test adds answer as they are defined
      }
    };
    server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(transformer));
    server.start();
    server.stubFor(stateStub());
  }

  private static MappingBuilder stateStub() {
    return any(anyUrl()).atPriority(STATE_PRIORITY).willReturn(ok().withTransformers("fake-elb"));
  }

  private synchronized void resetState() {
    actions = new LinkedHashMap<>(initialActions);
    ruleActions = new LinkedHashMap<>(initialRuleActions);
    health.clear();
    health.put(BLUE, List.of(new String[] {"10.0.1.10", "healthy", null}, new String[] {"10.0.1.11", "healthy", null}));
    health.put(GREEN, List.of(new String[] {"10.0.2.10", "healthy", null}, new String[] {"10.0.2.11", "healthy", null}));
    faults.clear();
    requests.clear();
  }

  /**
   * Back to the state it started in, for tests that share one fake: the listener and rule as they
   * started, healthy targets, no scripted faults, no stubs but the state stub, scenarios and the
   * request journal reset. Requests still in flight (a late reply) may finish afterwards.
   */
  public void reset() {
    resetState();
    server.resetMappings();
    server.stubFor(stateStub());
    server.resetScenarios();
    server.resetRequests();
  }

  /** @return a started fake holding the OIDC + sticky listener, all traffic on blue */
  public static FakeElb start() {
    return new FakeElb();
  }

  /** @return the endpoint */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** @return the WireMock server, to add stubs in front of the fake (priority 1) and to read its request journal */
  public WireMockServer server() {
    return server;
  }

  /** @return a counted client with SDK retries off */
  public ElasticLoadBalancingV2Client client() {
    return AwsClients.elb(endpoint(), counter);
  }

  // ---------------------------------------------------------------------------------------------
  // scripting

  /** Answers the next {@code times} requests of {@code action} with an AWS error. */
  public synchronized FakeElb failNext(String action, int times, int status, String code) {
    return failWhen(action, p -> true, times, status, code);
  }

  /** Answers the next {@code times} requests of {@code action} matching {@code when} with an AWS error. */
  public synchronized FakeElb failWhen(String action, Predicate<Map<String, String>> when, int times, int status, String code) {
    faults.add(new Fault(action, when, times, status, code, 0, Map.of()));
    return this;
  }

  /** Like {@link #failNext}, with extra response headers (e.g. Retry-After). */
  public synchronized FakeElb failNextWithHeaders(String action, int status, String code, Map<String, String> headers) {
    faults.add(new Fault(action, p -> true, 1, status, code, 0, headers));
    return this;
  }

  /** Serves the next {@code times} requests of {@code action} normally (the change lands) but answers after {@code millis}. */
  public synchronized FakeElb delayNext(String action, int times, int millis) {
    faults.add(new Fault(action, p -> true, times, 200, null, millis, Map.of()));
    return this;
  }

  /** @param targetGroupArn a group @param states "state" or "state/Reason.Code" per target */
  public synchronized void targetHealth(String targetGroupArn, String... states) {
    List<String[]> list = new ArrayList<>();
    for (int i = 0; i < states.length; i++) {
      String[] parts = states[i].split("/", 2);
      list.add(new String[] {"10.0.9." + (10 + i), parts[0], parts.length > 1 ? parts[1] : null});
    }
    health.put(targetGroupArn, list);
  }

  /** @param flattened new DefaultActions, flattened; ${BLUE} and ${GREEN} are replaced */
  public synchronized void listenerActions(Map<String, String> flattened) {
    Map<String, String> m = new LinkedHashMap<>();
    flattened.forEach((k, v) -> m.put(k, v.replace("${BLUE}", BLUE).replace("${GREEN}", GREEN)));
    actions = m;
  }

  /** @param flattened new rule Actions, flattened; ${BLUE} and ${GREEN} are replaced */
  public synchronized void ruleActions(Map<String, String> flattened) {
    Map<String, String> m = new LinkedHashMap<>();
    flattened.forEach((k, v) -> m.put(k, v.replace("${BLUE}", BLUE).replace("${GREEN}", GREEN)));
    ruleActions = m;
  }

  // ---------------------------------------------------------------------------------------------
  // inspection

  /** @return the listener's DefaultActions as the fake started, flattened */
  public Map<String, String> initialActions() {
    return new TreeMap<>(initialActions);
  }

  /** @return the listener's DefaultActions now, flattened and sorted */
  public synchronized Map<String, String> actions() {
    return new TreeMap<>(actions);
  }

  /** @return target group ARN to weight in the forward action now */
  public synchronized Map<String, Integer> weights() {
    return weightsIn(actions, "");
  }

  /** @return the rule's Actions as the fake started, flattened */
  public Map<String, String> initialRuleActions() {
    return new TreeMap<>(initialRuleActions);
  }

  /** @return the rule's Actions now, flattened and sorted */
  public synchronized Map<String, String> ruleActions() {
    return new TreeMap<>(ruleActions);
  }

  /** @return target group ARN to weight in the rule's forward action now */
  public synchronized Map<String, Integer> ruleWeights() {
    return weightsIn(ruleActions, "");
  }

  /** @return every request received, as form parameters */
  public synchronized List<Map<String, String>> requests(String action) {
    return requests.stream().filter(r -> action.equals(r.get("Action"))).toList();
  }

  /**
   * @param params a ModifyListener request
   * @return target group ARN to weight it sends
   */
  public static Map<String, Integer> weightsSent(Map<String, String> params) {
    return weightsIn(params, "DefaultActions.");
  }

  /**
   * @param params a ModifyListener or ModifyRule request
   * @return target group ARN to weight its forward action sends
   */
  public static Map<String, Integer> forwardWeightsSent(Map<String, String> params) {
    return weightsIn(params, params.containsKey("RuleArn") ? "Actions." : "DefaultActions.");
  }

  /**
   * @param body a form-encoded request body
   * @return its parameters
   */
  public static Map<String, String> form(String body) {
    return parseForm(body);
  }

  /**
   * @param status the HTTP status
   * @param code the AWS error code
   * @return an AWS Query-protocol error response, as ELBv2 sends it
   */
  public static ResponseDefinitionBuilder awsError(int status, String code) {
    return error(status, code, "scripted " + code);
  }

  private static Map<String, Integer> weightsIn(Map<String, String> flat, String prefix) {
    Map<String, Integer> weights = new TreeMap<>();
    flat.forEach((k, v) -> {
      if (k.startsWith(prefix) && k.endsWith(".TargetGroupArn") && k.contains(".ForwardConfig.TargetGroups.")) {
        String weight = flat.get(k.substring(0, k.length() - "TargetGroupArn".length()) + "Weight");
        weights.put(v, weight == null ? 1 : Integer.parseInt(weight));
      }
    });
    return weights;
  }

  // ---------------------------------------------------------------------------------------------
  // serving

  private synchronized ResponseDefinition handle(Map<String, String> params) {
    requests.add(params);
    String action = params.getOrDefault("Action", "?");
    Fault fault = null;
    for (Fault f : faults) {
      if (f.remaining > 0 && f.action.equals(action) && f.when.test(params)) {
        f.remaining--;
        fault = f;
        break;
      }
    }
    if (fault != null && fault.code != null) {
      ResponseDefinitionBuilder error = xml(fault.status, template("error.xml").replace("{{TYPE}}", fault.status >= 500 ? "Receiver" : "Sender")
          .replace("{{CODE}}", fault.code).replace("{{MESSAGE}}", escape("scripted " + fault.code + " for " + action)));
      fault.headers.forEach(error::withHeader);
      return error.build();
    }
    ResponseDefinitionBuilder ok = switch (action) {
      case "DescribeListeners" -> {
        if (!LISTENER.equals(params.get("ListenerArns.member.1"))) {
          yield error(400, "ListenerNotFound", "One or more listeners not found");
        }
        yield xml(200, listener("describe-listeners.xml"));
      }
      case "ModifyListener" -> {
        Map<String, String> next = new LinkedHashMap<>();
        params.forEach((k, v) -> {
          if (k.startsWith("DefaultActions.") && !k.endsWith(".ClientSecret") && !k.endsWith(".UseExistingClientSecret")) {
            next.put(k.substring("DefaultActions.".length()), v);
          }
        });
        actions = next;
        yield xml(200, listener("modify-listener.xml"));
      }
      case "DescribeRules" -> {
        if (!RULE.equals(params.get("RuleArns.member.1"))) {
          yield error(400, "RuleNotFound", "One or more rules not found");
        }
        yield xml(200, rule("describe-rules.xml"));
      }
      case "ModifyRule" -> {
        if (!RULE.equals(params.get("RuleArn"))) {
          yield error(400, "RuleNotFound", "One or more rules not found");
        }
        Map<String, String> next = new LinkedHashMap<>();
        params.forEach((k, v) -> {
          if (k.startsWith("Actions.") && !k.endsWith(".ClientSecret") && !k.endsWith(".UseExistingClientSecret")) {
            next.put(k.substring("Actions.".length()), v);
          }
        });
        ruleActions = next;
        yield xml(200, rule("modify-rule.xml"));
      }
      case "DescribeTargetGroups" -> {
        String arn = params.get("TargetGroupArns.member.1");
        if (!health.containsKey(arn)) {
          yield error(400, "TargetGroupNotFound", "One or more target groups not found");
        }
        yield xml(200, template("describe-target-groups.xml").replace("{{TARGET_GROUP}}", arn)
            .replace("{{TARGET_GROUP_NAME}}", arn.replaceAll(".*:targetgroup/([^/]+)/.*", "$1")).replace("{{LOAD_BALANCER}}", LOAD_BALANCER));
      }
      case "DescribeTargetHealth" -> {
        List<String[]> targets = health.get(params.get("TargetGroupArn"));
        if (targets == null) {
          yield error(400, "TargetGroupNotFound", "Target groups not found");
        }
        StringBuilder members = new StringBuilder();
        for (String[] t : targets) {
          members.append(template("target-health-member.xml").replace("{{ID}}", t[0]).replace("{{STATE}}", t[1])
              .replace("{{REASON}}", t[2] == null ? "" : "<Reason>" + escape(t[2]) + "</Reason>"));
        }
        yield xml(200, template("describe-target-health.xml").replace("{{TARGETS}}", members.toString()));
      }
      default -> error(400, "InvalidAction", "FakeElb does not implement " + action);
    };
    if (fault != null && fault.delayMillis > 0) {
      ok.withFixedDelay(fault.delayMillis);
    }
    return ok.build();
  }

  private String listener(String templateName) {
    return template(templateName).replace("{{LOAD_BALANCER}}", LOAD_BALANCER).replace("{{LISTENER}}", LISTENER)
        .replace("{{ACTIONS}}", toXml(actions));
  }

  private String rule(String templateName) {
    return template(templateName).replace("{{RULE}}", RULE).replace("{{ACTIONS}}", toXml(ruleActions));
  }

  private static ResponseDefinitionBuilder error(int status, String code, String message) {
    return xml(status, template("error.xml").replace("{{TYPE}}", status >= 500 ? "Receiver" : "Sender").replace("{{CODE}}", code).replace("{{MESSAGE}}", escape(message)));
  }

  private static ResponseDefinitionBuilder xml(int status, String body) {
    return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "text/xml")
        .withBody(body.replace("{{REQUEST_ID}}", UUID.randomUUID().toString()));
  }

  // ---------------------------------------------------------------------------------------------
  // flattened Query parameters <-> XML

  /** A node of the XML tree; list items are keyed "tag#index". */
  private static final class Node {
    final Map<String, Node> children = new LinkedHashMap<>();
    String value;
  }

  /** Renders flattened Query names ({@code member.1.ForwardConfig.TargetGroups.member.1.Weight}) as the XML AWS returns. */
  static String toXml(Map<String, String> flat) {
    Node root = new Node();
    flat.forEach((key, value) -> {
      String[] parts = key.split("\\.");
      Node node = root;
      for (int i = 0; i < parts.length; i++) {
        String name = parts[i];
        if (i + 1 < parts.length && parts[i + 1].matches("\\d+")) {
          name = name + "#" + parts[++i];
        }
        node = node.children.computeIfAbsent(name, k -> new Node());
      }
      node.value = value;
    });
    StringBuilder sb = new StringBuilder();
    render(root, sb);
    return sb.toString();
  }

  private static void render(Node node, StringBuilder sb) {
    List<Map.Entry<String, Node>> entries = new ArrayList<>(node.children.entrySet());
    entries.sort(Comparator.comparingInt(e -> e.getKey().contains("#") ? Integer.parseInt(e.getKey().substring(e.getKey().indexOf('#') + 1)) : 0));
    for (var e : entries) {
      String tag = e.getKey().contains("#") ? e.getKey().substring(0, e.getKey().indexOf('#')) : e.getKey();
      sb.append('<').append(tag).append('>');
      if (e.getValue().value != null) {
        sb.append(escape(e.getValue().value));
      } else {
        render(e.getValue(), sb);
      }
      sb.append("</").append(tag).append('>');
    }
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> params = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) {
      return params;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(k, v);
    }
    return params;
  }

  private static Map<String, String> loadActions(String resource) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : template(resource).split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      m.put(line.substring(0, eq), line.substring(eq + 1).replace("${BLUE}", BLUE).replace("${GREEN}", GREEN));
    }
    return m;
  }

  static String template(String name) {
    try (InputStream in = FakeElb.class.getResourceAsStream("/elb/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource /elb/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}
