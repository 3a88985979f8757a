package io.bluegreen.route53.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * A scripted Route 53 on in-process WireMock (127.0.0.1, random port): one hosted zone whose
 * records are kept as the exact XML written to it, so what the router sends is what it later reads.
 * Answers ListResourceRecordSets (sorted and paginated like Route 53, with NextRecordIdentifier),
 * ChangeResourceRecordSets (PENDING), GetChange (scripted, then INSYNC), GetHostedZone and
 * GetHealthCheckStatus. Responses are built from the XML templates in {@code src/test/resources/route53}.
 * Failures are scripted as higher-priority WireMock scenario stubs; a stub answering with
 * {@code aResponse().withTransformers("route53-fake").withFixedDelay(ms)} gets the fake's real answer
 * (the request is applied at once) delivered late.
 */
public final class FakeRoute53 implements AutoCloseable {

  /** The fake zone's id. */
  public static final String ZONE_ID = "Z0FAKE0123456789";
  private static final Pattern RRSET = Pattern.compile("/2013-04-01/hostedzone/([^/]+)/rrset/?");
  private static final Pattern ZONE = Pattern.compile("/2013-04-01/hostedzone/([^/]+)");
  private static final Pattern CHANGE = Pattern.compile("/2013-04-01/change/([^/]+)");
  private static final Pattern HEALTH = Pattern.compile("/2013-04-01/healthcheck/([^/]+)/status");

  private final WireMockServer server;
  private final String zoneId;
  private final String zoneName;
  private final List<String> records = new ArrayList<>();
  private final Deque<String> changeStatuses = new ArrayDeque<>();
  private final Map<String, List<String>> healthChecks = new LinkedHashMap<>();
  private final AtomicInteger changes = new AtomicInteger();
  private final AtomicInteger scenarios = new AtomicInteger();

  private FakeRoute53(String zoneName, String zoneId) {
    this.zoneId = zoneId;
    this.zoneName = zoneName.endsWith(".") ? zoneName : zoneName + ".";
    this.server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().extensions(new Handler()));
    server.start();
    server.stubFor(any(urlPathMatching("/2013-04-01/.*")).atPriority(10).willReturn(aResponse().withTransformers("route53-fake")));
  }

  /**
   * @param zoneName the zone's name, e.g. example.com
   * @return a running fake
   */
  public static FakeRoute53 start(String zoneName) {
    return new FakeRoute53(zoneName, ZONE_ID);
  }

  /**
   * @param zoneName the zone's name, e.g. example.com
   * @param zoneId the zone's id (a local fake's may not start with 'Z')
   * @return a running fake
   */
  public static FakeRoute53 start(String zoneName, String zoneId) {
    return new FakeRoute53(zoneName, zoneId);
  }

  /** @return http://127.0.0.1:port */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** @return the WireMock server, to inspect requests */
  public WireMockServer wireMock() {
    return server;
  }

  /** @return the zone name, with a trailing dot */
  public String zoneName() {
    return zoneName;
  }

  /**
   * Adds a record from a template in src/test/resources/route53.
   *
   * @param template e.g. "record-a.xml"
   * @param values placeholder values
   * @return this
   */
  public synchronized FakeRoute53 addRecord(String template, Map<String, String> values) {
    records.add(fill(template(template).trim(), values));
    return this;
  }

  /**
   * @param statuses what GetChange answers next, in order (then INSYNC)
   * @return this
   */
  public synchronized FakeRoute53 answerGetChange(String... statuses) {
    changeStatuses.addAll(List.of(statuses));
    return this;
  }

  /**
   * @param id a health check id
   * @param statuses one StatusReport.Status per checker
   * @return this
   */
  public synchronized FakeRoute53 healthCheck(String id, String... statuses) {
    healthChecks.put(id, List.of(statuses));
    return this;
  }

  /**
   * Makes the next {@code times} matching requests fail with a Route 53 error, then lets requests through.
   *
   * @param method GET or POST
   * @param pathRegex e.g. ".*&#47;rrset/?"
   * @param status HTTP status
   * @param code Route 53 error code, e.g. Throttling
   * @param message error message
   * @param times how many requests fail
   * @return this
   */
  public FakeRoute53 failNext(String method, String pathRegex, int status, String code, String message, int times) {
    return failAfter(0, method, pathRegex, status, code, message, times);
  }

  /**
   * Lets {@code pass} matching requests through, fails the {@code times} after them with a Route 53
   * error, then lets requests through again.
   *
   * @param pass matching requests answered normally first
   * @param method GET or POST
   * @param pathRegex path pattern
   * @param status HTTP status
   * @param code Route 53 error code
   * @param message error message
   * @param times how many requests fail
   * @return this
   */
  public FakeRoute53 failAfter(int pass, String method, String pathRegex, int status, String code, String message, int times) {
    String scenario = "fail-" + scenarios.incrementAndGet();
    int total = pass + times;
    for (int i = 0; i < total; i++) {
      String state = i == 0 ? Scenario.STARTED : "step-" + i;
      server.stubFor(request(method, urlPathMatching(pathRegex)).atPriority(1).inScenario(scenario).whenScenarioStateIs(state)
          .willSetStateTo(i == total - 1 ? "done" : "step-" + (i + 1))
          .willReturn(i < pass ? aResponse().withTransformers("route53-fake") : error(status, code, message)));
    }
    return this;
  }

  /**
   * @param name record name (with or without trailing dot)
   * @param setId SetIdentifier
   * @return the record's XML as stored
   */
  public synchronized String recordXml(String name, String setId) {
    for (String r : records) {
      Element e = parse(r);
      if (normalise(text(e, "Name")).equals(normalise(name)) && setId.equals(text(e, "SetIdentifier"))) {
        return r;
      }
    }
    throw new IllegalArgumentException("no record " + name + " / " + setId);
  }

  /**
   * @param name record name
   * @param setId SetIdentifier
   * @return its weight
   */
  public long weight(String name, String setId) {
    return Long.parseLong(text(parse(recordXml(name, setId)), "Weight"));
  }

  /** @return the bodies of every ChangeResourceRecordSets request received, in order */
  public List<String> changeRequestBodies() {
    return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlPathMatching(RRSET.pattern())))
        .stream().map(LoggedRequest::getBodyAsString).toList();
  }

  /**
   * @param method GET or POST
   * @param pathRegex path pattern
   * @return how many such requests were received
   */
  public int count(String method, String pathRegex) {
    return (int) server.getAllServeEvents().stream()
        .filter(e -> e.getRequest().getMethod().getName().equals(method) && e.getRequest().getUrl().split("\\?")[0].matches(pathRegex))
        .count();
  }

  /** @return ChangeResourceRecordSets requests received */
  public int writes() {
    return count("POST", RRSET.pattern());
  }

  /** @return every request received */
  public int requests() {
    return server.getAllServeEvents().size();
  }

  @Override
  public void close() {
    server.stop();
  }

  // ---------------------------------------------------------------------------------------------

  private final class Handler implements ResponseDefinitionTransformerV2 {
    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
      ResponseDefinition answer = answer(serveEvent.getRequest());
      Integer delay = serveEvent.getResponseDefinition().getFixedDelayMilliseconds();
      // a stub may ask for the fake's real answer, late: the request is applied at once, the reply waits
      return delay == null ? answer : ResponseDefinitionBuilder.like(answer).withFixedDelay(delay).build();
    }

    private ResponseDefinition answer(Request req) {
      String path = req.getUrl().split("\\?")[0];
      String method = req.getMethod().getName();
      Matcher m;
      synchronized (FakeRoute53.this) {
        if ((m = RRSET.matcher(path)).matches()) {
          if (!m.group(1).equals(zoneId)) {
            return error(404, "NoSuchHostedZone", "No hosted zone found with ID: " + m.group(1)).build();
          }
          return method.equals("POST") ? change(req.getBodyAsString()) : list(req);
        }
        if ((m = CHANGE.matcher(path)).matches()) {
          String status = changeStatuses.isEmpty() ? "INSYNC" : changeStatuses.poll();
          return ok(fill(template("get-change.xml"), Map.of("id", m.group(1), "status", status)));
        }
        if ((m = HEALTH.matcher(path)).matches()) {
          List<String> statuses = healthChecks.get(m.group(1));
          if (statuses == null) {
            return error(404, "NoSuchHealthCheck", "A health check with id " + m.group(1) + " does not exist.").build();
          }
          StringBuilder obs = new StringBuilder();
          for (int i = 0; i < statuses.size(); i++) {
            obs.append(fill(template("health-check-observation.xml").trim(),
                Map.of("region", "us-east-1", "ip", "15.177.0." + i, "status", statuses.get(i))));
          }
          return ok(fill(template("get-health-check-status.xml"), Map.of("observations", obs.toString())));
        }
        if ((m = ZONE.matcher(path)).matches()) {
          if (!m.group(1).equals(zoneId)) {
            return error(404, "NoSuchHostedZone", "No hosted zone found with ID: " + m.group(1)).build();
          }
          return ok(fill(template("get-hosted-zone.xml"), Map.of("id", zoneId, "name", zoneName, "count", "" + records.size())));
        }
      }
      return error(400, "InvalidInput", "the fake does not implement " + method + " " + path).build();
    }

    @Override
    public String getName() {
      return "route53-fake";
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }
  }

  private ResponseDefinition list(Request req) {
    List<String> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparing(FakeRoute53::sortKey)); // stable: same name and type keep their order
    String startName = param(req, "name");
    String startType = param(req, "type");
    String startId = param(req, "identifier");
    int max = Math.min(300, param(req, "maxitems") == null ? 300 : Integer.parseInt(param(req, "maxitems")));
    int start = 0;
    if (startName != null) {
      String key = reverse(startName) + " " + (startType == null ? "" : startType);
      while (start < sorted.size() && sortKey(sorted.get(start)).compareTo(key) < 0) {
        start++;
      }
      if (startId != null) {
        int i = start;
        while (i < sorted.size() && sortKey(sorted.get(i)).equals(key) && !startId.equals(text(parse(sorted.get(i)), "SetIdentifier"))) {
          i++;
        }
        start = i;
      }
    }
    int end = Math.min(sorted.size(), start + max);
    StringBuilder page = new StringBuilder();
    for (String r : sorted.subList(start, end)) {
      page.append(r);
    }
    String next = "";
    if (end < sorted.size()) {
      Element n = parse(sorted.get(end));
      next = "<NextRecordName>" + text(n, "Name") + "</NextRecordName><NextRecordType>" + text(n, "Type") + "</NextRecordType>"
          + (text(n, "SetIdentifier") == null ? "" : "<NextRecordIdentifier>" + text(n, "SetIdentifier") + "</NextRecordIdentifier>");
    }
    return ok(fill(template("list-resource-record-sets.xml"), Map.of("records", page.toString(),
        "truncated", Boolean.toString(end < sorted.size()), "next", next, "maxItems", Integer.toString(max))));
  }

  private ResponseDefinition change(String body) {
    Document doc = parseDocument(body);
    NodeList changeNodes = doc.getElementsByTagName("Change");
    for (int i = 0; i < changeNodes.getLength(); i++) {
      Element c = (Element) changeNodes.item(i);
      String action = text(c, "Action");
      Element set = (Element) c.getElementsByTagName("ResourceRecordSet").item(0);
      String xml = serialize(set);
      int at = indexOf(text(set, "Name"), text(set, "Type"), text(set, "SetIdentifier"));
      switch (action) {
        case "UPSERT" -> {
          if (at >= 0) {
            records.set(at, xml);
          } else {
            records.add(xml);
          }
        }
        case "CREATE" -> records.add(xml);
        case "DELETE" -> records.remove(at);
        default -> throw new IllegalStateException(action);
      }
    }
    String id = "C" + String.format(Locale.ROOT, "%08d", changes.incrementAndGet());
    String comment = doc.getElementsByTagName("Comment").getLength() > 0 ? doc.getElementsByTagName("Comment").item(0).getTextContent() : "";
    return ok(fill(template("change-resource-record-sets.xml"), Map.of("id", id, "status", "PENDING", "comment", escape(comment))));
  }

  private int indexOf(String name, String type, String setId) {
    for (int i = 0; i < records.size(); i++) {
      Element e = parse(records.get(i));
      if (normalise(text(e, "Name")).equals(normalise(name)) && type.equals(text(e, "Type"))
          && java.util.Objects.equals(setId, text(e, "SetIdentifier"))) {
        return i;
      }
    }
    return -1;
  }

  private static String param(Request req, String name) {
    QueryParameter p = req.queryParameter(name);
    return p != null && p.isPresent() ? p.firstValue() : null;
  }

  private static String sortKey(String recordXml) {
    Element e = parse(recordXml);
    return reverse(text(e, "Name")) + " " + text(e, "Type");
  }

  private static String reverse(String name) {
    String n = normalise(name);
    n = n.substring(0, n.length() - 1);
    List<String> labels = new ArrayList<>(List.of(n.split("\\.")));
    java.util.Collections.reverse(labels);
    return String.join(".", labels) + ".";
  }

  private static String normalise(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  private static ResponseDefinition ok(String xml) {
    return new ResponseDefinitionBuilder().withStatus(200).withHeader("Content-Type", "text/xml")
        .withHeader("x-amzn-RequestId", UUID.randomUUID().toString()).withBody(xml).build();
  }

  /**
   * @param status HTTP status
   * @param code Route 53 error code
   * @param message its message
   * @return an error response
   */
  public static ResponseDefinitionBuilder error(int status, String code, String message) {
    String requestId = UUID.randomUUID().toString();
    return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withHeader("x-amzn-RequestId", requestId)
        .withBody(fill(template("error.xml"), Map.of("code", code, "message", escape(message), "requestId", requestId)));
  }

  // ---------------------------------------------------------------------------------------------
  // templates and XML

  /**
   * @param name a file in src/test/resources/route53
   * @return its text
   */
  public static String template(String name) {
    try (InputStream in = FakeRoute53.class.getResourceAsStream("/route53/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no template " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param template text with {{placeholders}}
   * @param values their values
   * @return the text filled in
   */
  public static String fill(String template, Map<String, String> values) {
    String s = template;
    for (var e : values.entrySet()) {
      s = s.replace("{{" + e.getKey() + "}}", e.getValue());
    }
    if (s.contains("{{")) {
      throw new IllegalArgumentException("unfilled placeholder in " + s);
    }
    return s;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /**
   * @param xml an XML fragment
   * @return its root element (not namespace aware)
   */
  public static Element parse(String xml) {
    return parseDocument(xml).getDocumentElement();
  }

  private static Document parseDocument(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot parse " + xml, e);
    }
  }

  /**
   * @param e an element
   * @param child a direct child's name
   * @return its text, or null when absent
   */
  public static String text(Element e, String child) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element c && c.getTagName().equals(child)) {
        return c.getTextContent();
      }
    }
    return null;
  }

  /**
   * @param e an element
   * @return its XML, without declaration
   */
  public static String serialize(Element e) {
    try {
      var t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
      StringWriter w = new StringWriter();
      t.transform(new DOMSource(e), new StreamResult(w));
      return w.toString();
    } catch (Exception ex) {
      throw new IllegalStateException(ex);
    }
  }
}
