package io.bluegreen.route53;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.GateResult;
import io.bluegreen.core.HealthGate;
import io.bluegreen.core.Outcome;
import io.bluegreen.core.StageSchedule;
import io.bluegreen.core.SwitchPlan;
import io.bluegreen.core.SwitchResult;
import io.bluegreen.core.TrafficSplit;
import io.bluegreen.core.event.SwitchEvent;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import java.util.ArrayList;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.route53.support.MotoRoute53;
import io.bluegreen.route53.support.RequestCounter;
import io.bluegreen.route53.support.Route53Clients;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * {@link PreviewRecord} on moto's Route 53: the preview record copies green's value and TTL (or alias
 * target) under its own name with a marker, in one ChangeBatch; the weighted records are not touched;
 * closing deletes both; a record left by a crashed run is found and removed naming its owner; a name
 * already holding someone else's record, or the production name, is refused before any write.
 */
class PreviewRecordMotoTest {

  private static final Environment BLUE = Environment.of("blue");
  private static final Environment GREEN = Environment.of("green");

  private Route53Client admin;
  private RequestCounter counter;
  private Route53Client client;
  private MotoRoute53 zone;

  @BeforeEach
  void clients() {
    URI endpoint = MotoRoute53.endpoint();
    admin = Route53Clients.create(endpoint, null);
    counter = new RequestCounter();
    client = Route53Clients.create(endpoint, counter);
    zone = MotoRoute53.sharedZone(admin);
  }

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
    if (admin != null) {
      admin.close();
    }
  }

  private WeightedRecordRouter scene(String api) {
    zone.create(List.of(MotoRoute53.aRecord(api, "api-blue", 100, 300, null, "192.0.2.1"),
        MotoRoute53.aRecord(api, "api-green", 0, 300, null, "192.0.2.2", "192.0.2.3")));
    Map<Environment, String> ids = new LinkedHashMap<>();
    ids.put(BLUE, "api-blue");
    ids.put(GREEN, "api-green");
    return WeightedRecordRouter.builder(client).hostedZoneId(zone.zoneId()).record(api, "A", ids).build();
  }

  private List<ResourceRecordSet> at(String name) {
    return zone.listAll().stream().filter(r -> r.name().equalsIgnoreCase(name)).toList();
  }

  private static PreviewRequest request(String routeId, String owner) {
    return PreviewRequest.of("preview-test", routeId, owner, GREEN, BLUE);
  }

  @Test
  void thePreviewRecordCopiesGreensValuesUnderItsOwnNameAndIsRemovedWithItsMarker() {
    String api = zone.name(MotoRoute53.randomLabel());
    WeightedRecordRouter router = scene(api);
    List<ResourceRecordSet> weighted = at(api);
    String previewName = "green." + api;
    PreviewRecord preview = PreviewRecord.builder(client, router).name(previewName).build();
    PreviewRequest request = request(router.routeId(), "pipeline-9@runner");

    long before = counter.writes();
    PreviewEndpoint planned = preview.preflight(request);
    assertThat(counter.writes()).isEqualTo(before);
    PreviewEndpoint endpoint = preview.open(request);

    assertThat(endpoint).isEqualTo(planned);
    assertThat(counter.writes() - before).as("one ChangeBatch: the record and its marker").isEqualTo(1);
    assertThat(at(previewName)).singleElement().satisfies(r -> {
      assertThat(r.type()).isEqualTo(RRType.A);
      assertThat(r.setIdentifier()).isNull();
      assertThat(r.weight()).isNull();
      assertThat(r.ttl()).isEqualTo(300L);
      assertThat(r.resourceRecords()).extracting(ResourceRecord::value).containsExactlyInAnyOrder("192.0.2.2", "192.0.2.3");
    });
    assertThat(at("_bluegreen-preview." + previewName)).singleElement()
        .satisfies(r -> assertThat(r.resourceRecords().get(0).value()).contains("pipeline-9@runner", router.routeId()));
    assertThat(at(api)).as("the weighted records are not touched").isEqualTo(weighted);
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(preview.pending(request)).as("moto answers INSYNC").isEmpty();
    String host = previewName.substring(0, previewName.length() - 1);
    assertThat(endpoint.url()).contains(URI.create("https://" + host + "/"));

    long mark = counter.writes();
    assertThat(preview.open(request)).isEqualTo(endpoint);
    assertThat(counter.writes()).as("open again: nothing written").isEqualTo(mark);

    assertThat(preview.close(request)).hasValueSatisfying(s -> assertThat(s).contains(host, "pipeline-9@runner"));
    assertThat(at(previewName)).isEmpty();
    assertThat(at("_bluegreen-preview." + previewName)).isEmpty();
    assertThat(at(api)).isEqualTo(weighted);
    long closed = counter.writes();
    assertThat(preview.close(request)).isEmpty();
    assertThat(counter.writes()).isEqualTo(closed);
  }

  @Test
  void throughAPlanTheWeightedRecordsStayAllBlueWhileThePreviewRecordResolvesToGreen() {
    String api = zone.name(MotoRoute53.randomLabel());
    WeightedRecordRouter router = scene(api);
    List<ResourceRecordSet> weighted = at(api);
    String previewName = "green." + api;
    List<Boolean> seen = new ArrayList<>();
    HealthGate whileOpen = HealthGate.of("production while the preview is open", ctx -> {
      seen.add(router.current().equals(TrafficSplit.allTo(BLUE, GREEN)) && at(api).equals(weighted) && at(previewName).size() == 1);
      return GateResult.healthy();
    });

    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100))
        .preview(PreviewRecord.builder(client, router).name(previewName).build()).previewGate(whileOpen)
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).defaultLogging(false).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(seen).containsExactly(true);
    assertThat(at(previewName)).as("removed with the plan").isEmpty();
    assertThat(r.events(SwitchEvent.PreviewClosed.class)).hasSize(1);
  }

  @Test
  void aPreviewRecordLeftByACrashedRunIsFoundAndRemovedNamingItsOwner() {
    String api = zone.name(MotoRoute53.randomLabel());
    WeightedRecordRouter router = scene(api);
    PreviewRecord preview = PreviewRecord.builder(client, router).name("green." + api).build();
    preview.open(request(router.routeId(), "crashed@runner-1"));

    PreviewRequest rerun = request(router.routeId(), "rerun@runner-2");
    assertThat(preview.preflight(rerun)).as("its own leftover is no conflict").isNotNull();
    assertThat(preview.close(rerun)).hasValueSatisfying(s -> assertThat(s).contains("opened by crashed@runner-1"));
    assertThat(at("green." + api)).isEmpty();
  }

  @Test
  void aNameHoldingSomeoneElsesRecordOrTheProductionNameIsRefusedBeforeAnyWrite() {
    String api = zone.name(MotoRoute53.randomLabel());
    WeightedRecordRouter router = scene(api);
    String taken = "green." + api;
    zone.create(List.of(ResourceRecordSet.builder().name(taken).type(RRType.CNAME).ttl(60L)
        .resourceRecords(ResourceRecord.builder().value("elsewhere.example.com").build()).build()));
    PreviewRecord preview = PreviewRecord.builder(client, router).name(taken).build();

    long before = counter.writes();
    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("already holds [CNAME] record not created by bluegreen").hasMessageContaining("nothing was written");
    assertThat(preview.close(request(router.routeId(), "p@h"))).as("close leaves someone else's record alone").isEmpty();
    assertThat(counter.writes()).isEqualTo(before);
    assertThat(at(taken)).hasSize(1);

    assertThatThrownBy(() -> PreviewRecord.builder(client, router).name(api.toUpperCase()).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is the production record");
    assertThatThrownBy(() -> PreviewRecord.builder(client, router).name("green.elsewhere.example.org").build().preflight(
        request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class).hasMessageContaining("is not inside zone");
    assertThat(counter.writes()).isEqualTo(before);
  }
}
