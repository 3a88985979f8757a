package io.bluegreen.examples.route53;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.StringReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The few Route 53 calls the example makes, faked in this JVM on WireMock (127.0.0.1, a free port):
 * hosted zone {@value #ZONE_ID} ({@code example.com.}) holding two weighted A records
 * {@code api.example.com} with SetIdentifiers {@code api-blue} (weight 100) and {@code api-green}
 * (weight 0), TTL {@value #TTL_SECONDS} s. GetHostedZone, ListResourceRecordSets,
 * ChangeResourceRecordSets (UPSERTs change the weight; the change starts PENDING) and GetChange, which
 * answers PENDING {@value #PENDING_POLLS} times per change before INSYNC, as Route 53 does while a
 * change propagates to its name servers.
 *
 * <pre>{@code
 * try (FakeRoute53 dns = FakeRoute53.start(); Route53Client route53 = WeightedRecordExample.localClient(dns.endpoint())) {
 *   WeightedRecordExample.run(route53, FakeRoute53.ZONE_ID, FakeRoute53.RECORD, VirtualClock.create(), System.out);
 *   dns.weights();            // {api-blue=0, api-green=100}
 *   dns.getChangeAnswers();   // [PENDING, PENDING, INSYNC, PENDING, PENDING, INSYNC, ...]
 * }
 * }</pre>
 */
public final class FakeRoute53 implements AutoCloseable {

  /** The hosted zone. */
  public static final String ZONE_ID = "Z0EXAMPLE1234567890AB";
  /** The weighted record's name. */
  public static final String RECORD = "api.example.com";
  /** The records' TTL. */
  public static final int TTL_SECONDS = 300;
  /** How many times GetChange answers PENDING for each change. */
  public static final int PENDING_POLLS = 2;

  private static final String NS = "https://route53.amazonaws.com/doc/2013-04-01/";
  private static final Pattern ZONE = Pattern.compile("/2013-04-01/hostedzone/([^/]+)(/rrset/?)?");
  private static final Pattern CHANGE = Pattern.compile("/2013-04-01/change/([^/]+)");

  private final WireMockServer server;
  private final Map<String, Long> weights = new LinkedHashMap<>();
  private final Map<String, String> values = Map.of("api-blue", "192.0.2.10", "api-green", "192.0.2.20");
  private final Map<String, Integer> pending = new LinkedHashMap<>();
  private final List<String> getChangeAnswers = new ArrayList<>();
  private int changes;

  private FakeRoute53() {
    weights.put("api-blue", 100L);
    weights.put("api-green", 0L);
    ResponseDefinitionTransformerV2 route53 = new ResponseDefinitionTransformerV2() {
      @Override
      public ResponseDefinition transform(ServeEvent event) {
        return handle(event.getRequest());
      }

      @Override
      public String getName() {
        return "fake-route53";
      }
    };
    server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().jettyAcceptors(1).extensions(route53));
    server.start();
    server.stubFor(any(anyUrl()).willReturn(ok()));
  }

  /** @return a running fake, all traffic on api-blue */
  public static FakeRoute53 start() {
    return new FakeRoute53();
  }

  /** @return the endpoint to give the SDK client ({@code endpointOverride}) */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** @return SetIdentifier to weight, now */
  public synchronized Map<String, Long> weights() {
    return new LinkedHashMap<>(weights);
  }

  /** @return ChangeResourceRecordSets requests received */
  public synchronized int changes() {
    return changes;
  }

  /** @return every GetChange answer, in order */
  public synchronized List<String> getChangeAnswers() {
    return List.copyOf(getChangeAnswers);
  }

  private synchronized ResponseDefinition handle(Request request) {
    String path = request.getUrl().split("\\?")[0];
    Matcher m;
    if ((m = CHANGE.matcher(path)).matches()) {
      String id = m.group(1);
      int left = pending.getOrDefault(id, 0);
      pending.put(id, Math.max(0, left - 1));
      String status = left > 0 ? "PENDING" : "INSYNC";
      getChangeAnswers.add(status);
      return xml("GetChange", changeInfo(id, status));
    }
    if (!(m = ZONE.matcher(path)).matches()) {
      return error(400, "InvalidInput", "this fake does not implement " + request.getMethod() + " " + path);
    }
    if (!ZONE_ID.equals(m.group(1))) {
      return error(404, "NoSuchHostedZone", "No hosted zone found with ID: " + m.group(1));
    }
    if (m.group(2) == null) {
      return xml("GetHostedZone", "<HostedZone><Id>/hostedzone/" + ZONE_ID + "</Id><Name>example.com.</Name>"
          + "<CallerReference>example</CallerReference><ResourceRecordSetCount>4</ResourceRecordSetCount></HostedZone>");
    }
    if (request.getMethod().getName().equals("POST")) {
      return change(request.getBodyAsString());
    }
    StringBuilder sets = new StringBuilder(); // the only records: both fit in one page
    weights.forEach((setId, weight) -> sets.append("""
        <ResourceRecordSet><Name>%s.</Name><Type>A</Type><SetIdentifier>%s</SetIdentifier><Weight>%d</Weight><TTL>%d</TTL>\
        <ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords></ResourceRecordSet>"""
        .formatted(RECORD, setId, weight, TTL_SECONDS, values.get(setId))));
    return xml("ListResourceRecordSets", "<ResourceRecordSets>" + sets + "</ResourceRecordSets><IsTruncated>false</IsTruncated>"
        + "<MaxItems>300</MaxItems>");
  }

  private ResponseDefinition change(String body) {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(body)));
    } catch (Exception e) {
      return error(400, "InvalidInput", "cannot parse the change batch: " + e.getMessage());
    }
    Map<String, Long> next = new LinkedHashMap<>(weights);
    NodeList list = doc.getElementsByTagName("Change");
    for (int i = 0; i < list.getLength(); i++) {
      Element change = (Element) list.item(i);
      String setId = text(change, "SetIdentifier");
      if (!"UPSERT".equals(text(change, "Action")) || !weights.containsKey(setId) || text(change, "Weight") == null) {
        return error(400, "InvalidChangeBatch", "this fake takes UPSERTs of the weights of " + weights.keySet());
      }
      next.put(setId, Long.parseLong(text(change, "Weight")));
    }
    weights.putAll(next); // all or nothing, as Route 53 applies a batch
    changes++;
    String id = "C" + String.format("%012d", changes);
    pending.put(id, PENDING_POLLS);
    return xml("ChangeResourceRecordSets", changeInfo(id, "PENDING"));
  }

  private static String text(Element parent, String tag) {
    NodeList n = parent.getElementsByTagName(tag);
    return n.getLength() == 0 ? null : n.item(0).getTextContent().trim();
  }

  private static String changeInfo(String id, String status) {
    return "<ChangeInfo><Id>/change/" + id + "</Id><Status>" + status + "</Status><SubmittedAt>2026-01-01T00:00:00.000Z</SubmittedAt></ChangeInfo>";
  }

  private static ResponseDefinition xml(String operation, String content) {
    return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", "text/xml")
        .withHeader("x-amzn-RequestId", UUID.randomUUID().toString())
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?><" + operation + "Response xmlns=\"" + NS + "\">" + content
            + "</" + operation + "Response>").build();
  }

  private static ResponseDefinition error(int status, String code, String message) {
    String requestId = UUID.randomUUID().toString();
    return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "text/xml")
        .withHeader("x-amzn-RequestId", requestId)
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ErrorResponse xmlns=\"" + NS + "\"><Error><Type>Sender</Type><Code>" + code
            + "</Code><Message>" + message + "</Message></Error><RequestId>" + requestId + "</RequestId></ErrorResponse>").build();
  }

  /** Stops the fake. */
  @Override
  public void close() {
    server.stop();
  }

  @Override
  public String toString() {
    return "in-process Route 53 fake at " + endpoint();
  }
}
