package io.bluegreen.route53.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bluegreen.route53.ChangeBatchLimits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

class ChangeBatchPlannerTest {

  private static Change upsert(String name, String setId, String... values) {
    List<ResourceRecord> rr = new ArrayList<>();
    for (String v : values) {
      rr.add(ResourceRecord.builder().value(v).build());
    }
    return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name(name).type(RRType.A)
        .setIdentifier(setId).weight(1L).ttl(60L).resourceRecords(rr).build()).build();
  }

  private static Change aliasUpsert(String name, String setId) {
    return Change.builder().action(ChangeAction.UPSERT).resourceRecordSet(ResourceRecordSet.builder().name(name).type(RRType.A)
        .setIdentifier(setId).weight(1L).aliasTarget(a -> a.hostedZoneId("Z35SXDOTRQ7X7K").dnsName("lb.example.net.")
            .evaluateTargetHealth(false)).build()).build();
  }

  private static List<List<Change>> groups(int n, int valuesPerRecord) {
    List<List<Change>> groups = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String[] values = new String[valuesPerRecord];
      for (int v = 0; v < valuesPerRecord; v++) {
        values[v] = "10.0." + v + "." + (i % 250);
      }
      groups.add(List.of(upsert("s" + i + ".example.com.", "b", values), upsert("s" + i + ".example.com.", "g", values)));
    }
    return groups;
  }

  @Test
  void upsertsCountTwice() {
    Change c = upsert("a.example.com.", "b", "192.0.2.1", "192.0.2.2");
    assertThat(ChangeBatchLimits.resourceRecordElements(c)).isEqualTo(4);
    assertThat(ChangeBatchLimits.valueCharacters(c)).isEqualTo(2 * (9 + 9));
    assertThat(ChangeBatchLimits.resourceRecordElements(aliasUpsert("a.example.com.", "b"))).isZero();
  }

  @Test
  void twoHundredGroupsFitOneRequest() {
    List<List<Change>> batches = ChangeBatchPlanner.plan(groups(200, 1), ChangeBatchLimits.defaults());
    assertThat(batches).hasSize(1);
    assertThat(batches.get(0)).hasSize(400);
  }

  @Test
  void sixHundredGroupsNeedThreeRequests() {
    List<List<Change>> batches = ChangeBatchPlanner.plan(groups(600, 1), ChangeBatchLimits.defaults());
    assertThat(batches).hasSize(3); // 2,400 counted elements / 1,000
    assertThat(batches).allSatisfy(b -> assertThat(ChangeBatchLimits.defaults().fits(b)).isTrue());
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(1200);
  }

  @Test
  void theCharacterLimitSplitsToo() {
    List<List<Change>> groups = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      String v = "x".repeat(60);
      groups.add(List.of(upsert("s" + i + ".example.com.", "b", v, v), upsert("s" + i + ".example.com.", "g", v, v)));
    }
    // per group: 8 elements, 480 characters -> elements allow 125 groups, characters 66
    List<List<Change>> batches = ChangeBatchPlanner.plan(groups, ChangeBatchLimits.defaults());
    assertThat(batches).hasSize(2);
    assertThat(batches).allSatisfy(b -> assertThat(ChangeBatchLimits.defaults().fits(b)).isTrue());
  }

  @Test
  void aliasOnlyBatchesAreBoundedByTheChangeGuard() {
    List<List<Change>> groups = new ArrayList<>();
    for (int i = 0; i < 600; i++) {
      groups.add(List.of(aliasUpsert("s" + i + ".example.com.", "b"), aliasUpsert("s" + i + ".example.com.", "g")));
    }
    assertThat(ChangeBatchPlanner.plan(groups, ChangeBatchLimits.defaults())).hasSize(2);
  }

  @Test
  void groupsStayTogetherUnlessOneAloneIsTooBig() {
    ChangeBatchLimits small = ChangeBatchLimits.builder().maxResourceRecordElements(6).build();
    List<List<Change>> batches = ChangeBatchPlanner.plan(groups(3, 1), small); // 4 per group: one group per request
    assertThat(batches).hasSize(3).allSatisfy(b -> assertThat(b).extracting(c -> c.resourceRecordSet().name()).containsOnly(
        b.get(0).resourceRecordSet().name()));
    List<List<Change>> big = List.of(List.of(upsert("big.example.com.", "b", "1", "2"), upsert("big.example.com.", "g", "3", "4")));
    assertThat(ChangeBatchPlanner.splitsAGroup(big, small)).isTrue();
    assertThat(ChangeBatchPlanner.plan(big, small)).hasSize(2);
  }
}
