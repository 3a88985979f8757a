package io.bluegreen.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bluegreen.aws.support.MotoAlb;
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
import io.bluegreen.core.gate.HealthGates;
import io.bluegreen.core.lock.InProcessRouteLock;
import io.bluegreen.testkit.VirtualClock;
import java.time.Duration;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Action;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.ActionTypeEnum;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.FixedResponseActionConfig;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.Rule;
import software.amazon.awssdk.services.elasticloadbalancingv2.model.RuleCondition;

/**
 * {@link AlbPreviewRule} on moto's ELBv2: the rule it opens (header or host, conditions, priority,
 * forward to green only, tags), what it never touches (the listener's default actions, the production
 * rule, every other rule, the split the router reads), what preflight refuses with no write (a taken
 * priority, a header another rule matches, the production host, a load balancer at 100 rules), and
 * finding and removing a rule left by an earlier run.
 */
class AlbPreviewRuleMotoTest {

  static final Environment BLUE = Environment.of("blue");
  static final Environment GREEN = Environment.of("green");
  static final String TOKEN = "s3cr3t-preview-token";

  private final List<MotoAlb> albs = new ArrayList<>();

  @AfterEach
  void close() {
    albs.forEach(MotoAlb::close);
  }

  private MotoAlb alb(MotoAlb.Options options) {
    MotoAlb alb = MotoAlb.create(options);
    albs.add(alb);
    return alb;
  }

  static AlbListenerRouter listenerRouter(MotoAlb alb) {
    return AlbListenerRouter.builder(alb.elb).listenerArn(alb.listenerArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg).build();
  }

  static AlbRuleRouter ruleRouter(MotoAlb alb) {
    return AlbRuleRouter.builder(alb.elb).ruleArn(alb.ruleArn).environment(BLUE, alb.blueTg).environment(GREEN, alb.greenTg).build();
  }

  static PreviewRequest request(String routeId, String owner) {
    return PreviewRequest.of("preview-test", routeId, owner, GREEN, BLUE);
  }

  private static List<Rule> rules(MotoAlb alb) {
    List<Rule> all = new ArrayList<>();
    String marker = null;
    do {
      String m = marker;
      var page = alb.admin.describeRules(r -> r.listenerArn(alb.listenerArn).marker(m));
      all.addAll(page.rules());
      marker = page.nextMarker();
    } while (marker != null);
    return all;
  }

  private static List<Rule> nonDefault(MotoAlb alb) {
    return rules(alb).stream().filter(r -> !Boolean.TRUE.equals(r.isDefault())).toList();
  }

  private static Map<String, String> tags(MotoAlb alb, String arn) {
    return alb.admin.describeTags(r -> r.resourceArns(arn)).tagDescriptions().get(0).tags().stream()
        .collect(Collectors.toMap(t -> t.key(), t -> t.value()));
  }

  private static String otherRule(MotoAlb alb, int priority, RuleCondition condition) {
    Action fixed = Action.builder().type(ActionTypeEnum.FIXED_RESPONSE)
        .fixedResponseConfig(FixedResponseActionConfig.builder().statusCode("200").contentType("text/plain").messageBody("other").build()).build();
    return alb.admin.createRule(r -> r.listenerArn(alb.listenerArn).priority(priority).conditions(condition).actions(fixed)).rules().get(0).ruleArn();
  }

  private static RuleCondition path(String p) {
    return RuleCondition.builder().field("path-pattern").pathPatternConfig(c -> c.values(p)).build();
  }

  @Test
  void aHeaderPreviewIsOneRuleToGreenOnlyAtTheFirstFreePriorityAndProductionIsUntouched() {
    MotoAlb alb = alb(MotoAlb.options().oidc().stickiness(600));
    String other = otherRule(alb, 1, path("/admin/*"));
    AlbListenerRouter router = listenerRouter(alb);
    List<Action> listenerBefore = alb.listenerActions();
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).oidcClientSecret("oidc-secret-value").build();
    PreviewRequest request = request(router.routeId(), "pipeline-7@runner");

    long before = alb.counter.writes();
    PreviewEndpoint planned = preview.preflight(request);
    assertThat(alb.counter.writes()).as("preflight writes nothing").isEqualTo(before);
    PreviewEndpoint endpoint = preview.open(request);

    assertThat(endpoint).isEqualTo(planned);
    assertThat(alb.counter.count("CreateRule")).isEqualTo(1);
    assertThat(alb.counter.writes() - before).as("one write: CreateRule with its tags").isEqualTo(1);
    List<Rule> created = nonDefault(alb).stream().filter(r -> !r.ruleArn().equals(other)).toList();
    assertThat(created).singleElement().satisfies(r -> {
      assertThat(r.priority()).as("the first free priority: 1 is taken").isEqualTo("2");
      assertThat(r.conditions()).singleElement().satisfies(c -> {
        assertThat(c.field()).isEqualTo("http-header");
        assertThat(c.httpHeaderConfig().httpHeaderName()).isEqualTo("X-Preview");
        assertThat(c.httpHeaderConfig().values()).containsExactly(TOKEN);
      });
      Action forward = r.actions().stream().filter(a -> a.type() == ActionTypeEnum.FORWARD).findFirst().orElseThrow();
      assertThat(forward.forwardConfig().targetGroups()).as("green only").singleElement()
          .satisfies(t -> assertThat(t.targetGroupArn()).isEqualTo(alb.greenTg));
      assertThat(r.actions()).as("production's authenticate-oidc comes first, as on the listener")
          .anySatisfy(a -> assertThat(a.type()).isEqualTo(ActionTypeEnum.AUTHENTICATE_OIDC));
      assertThat(tags(alb, r.ruleArn())).containsEntry(AlbPreviewRule.ROUTE_TAG, AlbPreviewRule.tagValue(router.routeId()))
          .containsEntry(AlbPreviewRule.OWNER_TAG, "pipeline-7@runner");
    });
    assertThat(router.current()).as("production still reads all blue").isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(alb.listenerActions()).as("the listener's default actions are not touched").isEqualTo(listenerBefore);
    assertThat(endpoint.url()).contains(URI.create("http://" + alb.admin.describeLoadBalancers(r -> r.loadBalancerArns(alb.loadBalancerArn))
        .loadBalancers().get(0).dnsName() + "/"));
    assertThat(endpoint.headers()).containsEntry("X-Preview", TOKEN);
    assertThat(endpoint.toString()).contains("priority 2", "X-Preview").doesNotContain(TOKEN);

    long mark = alb.counter.writes();
    assertThat(preview.open(request)).as("opening again finds its own rule").isEqualTo(endpoint);
    assertThat(alb.counter.writes()).as("and writes nothing").isEqualTo(mark);

    Optional<String> removed = preview.close(request);
    assertThat(removed).hasValueSatisfying(s -> assertThat(s).contains("priority 2", "pipeline-7@runner").doesNotContain(TOKEN));
    assertThat(nonDefault(alb)).extracting(Rule::ruleArn).as("only the other rule is left").containsExactly(other);
    assertThat(alb.listenerActions()).isEqualTo(listenerBefore);
    long afterClose = alb.counter.writes();
    assertThat(preview.close(request)).as("closing again: nothing there").isEmpty();
    assertThat(alb.counter.writes()).as("and nothing written").isEqualTo(afterClose);
  }

  @Test
  void aRulePreviewPrecedesTheProductionRuleAndCarriesItsConditions() {
    MotoAlb alb = alb(MotoAlb.options().rule());
    AlbRuleRouter router = ruleRouter(alb);
    Rule production = alb.rule();
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).build();

    preview.open(request(router.routeId(), "p@h"));

    Rule created = nonDefault(alb).stream().filter(r -> !r.ruleArn().equals(alb.ruleArn)).findFirst().orElseThrow();
    assertThat(Integer.parseInt(created.priority())).as("before the production rule at 10").isLessThan(10);
    assertThat(created.conditions()).extracting(RuleCondition::field).containsExactlyInAnyOrder("path-pattern", "host-header", "http-header");
    assertThat(alb.rule()).as("the production rule is not touched").isEqualTo(production);
    assertThat(router.current()).isEqualTo(TrafficSplit.allTo(BLUE, GREEN));
  }

  @Test
  void aHostPreviewMatchesTheHostAndTheUrlCarriesIt() {
    MotoAlb alb = alb(MotoAlb.options());
    AlbListenerRouter router = listenerRouter(alb);
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).host("Preview.Shop.example.com")
        .frontDoor(URI.create("https://shop.example.com/app/")).build();

    PreviewEndpoint endpoint = preview.open(request(router.routeId(), "p@h"));

    assertThat(endpoint.url()).contains(URI.create("https://preview.shop.example.com/app/"));
    assertThat(endpoint.host()).contains("preview.shop.example.com");
    assertThat(endpoint.headers()).isEmpty();
    assertThat(nonDefault(alb)).singleElement().satisfies(r -> assertThat(r.conditions()).singleElement()
        .satisfies(c -> assertThat(c.hostHeaderConfig().values()).containsExactly("preview.shop.example.com")));
  }

  @Test
  void aPriorityTakenByAnotherRuleIsRefusedBeforeAnyWrite() {
    MotoAlb alb = alb(MotoAlb.options());
    otherRule(alb, 7, path("/x/*"));
    AlbListenerRouter router = listenerRouter(alb);
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).priority(7).build();
    long before = alb.counter.writes();

    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("preview priority 7 is taken").hasMessageContaining("path-pattern /x/*")
        .hasMessageContaining("nothing was written").hasMessageNotContaining(TOKEN);
    assertThat(alb.counter.writes()).isEqualTo(before);
  }

  @Test
  void aHeaderAnotherRuleAlreadyMatchesIsRefusedBeforeAnyWrite() {
    MotoAlb alb = alb(MotoAlb.options());
    otherRule(alb, 3, RuleCondition.builder().field("http-header").httpHeaderConfig(h -> h.httpHeaderName("x-preview").values("other")).build());
    AlbListenerRouter router = listenerRouter(alb);
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).build();
    long before = alb.counter.writes();

    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("already matches header X-Preview").hasMessageContaining("not created by bluegreen");
    assertThat(alb.counter.writes()).isEqualTo(before);
  }

  @Test
  void aPreviewHostEqualToTheProductionHostIsRefusedBeforeAnyWrite() {
    MotoAlb alb = alb(MotoAlb.options().rule());
    AlbRuleRouter router = ruleRouter(alb);
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).host("shop.example.com").build();
    long before = alb.counter.total();

    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("preview host shop.example.com is a production host");
    assertThat(alb.counter.writes()).isEqualTo(0);
    assertThat(alb.counter.total()).as("read-only calls only").isGreaterThan(before);
    assertThatThrownBy(() -> AlbPreviewRule.builder(alb.elb, listenerRouter(alb)).host("shop.example.com")
        .frontDoor(URI.create("https://SHOP.example.com/")).build())
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("is the production host");
  }

  @Test
  void aLoadBalancerAtItsRulesQuotaIsRefusedBeforeAnyWriteAndNothingElseIsTouched() {
    MotoAlb alb = alb(MotoAlb.options());
    for (int p = 1; p <= 100; p++) {
      otherRule(alb, p, path("/r" + p + "/*"));
    }
    AlbListenerRouter router = listenerRouter(alb);
    List<Rule> before = rules(alb);
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).build();

    assertThatThrownBy(() -> preview.preflight(request(router.routeId(), "p@h"))).isInstanceOf(PreflightException.class)
        .hasMessageContaining("already has 100 rules").hasMessageContaining("quota is 100").hasMessageContaining("nothing was written");
    assertThat(alb.counter.writes()).isZero();
    assertThat(rules(alb)).isEqualTo(before);
  }

  @Test
  void aRuleLeftByACrashedRunIsFoundRemovedAndNamedAndDoesNotCountAsAConflict() {
    MotoAlb alb = alb(MotoAlb.options());
    AlbListenerRouter router = listenerRouter(alb);
    AlbPreviewRule preview = AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).priority(5).build();
    preview.open(request(router.routeId(), "crashed-pipeline@runner-1"));   // then the process died

    PreviewRequest rerun = request(router.routeId(), "pipeline-8@runner-2");
    assertThat(preview.preflight(rerun)).as("its own leftover is no conflict, not even for priority 5").isNotNull();
    assertThat(preview.close(rerun)).hasValueSatisfying(s -> assertThat(s).contains("priority 5", "crashed-pipeline@runner-1"));
    assertThat(nonDefault(alb)).isEmpty();
  }

  @Test
  void throughAPlanProductionStaysAllBlueWhileThePreviewRuleIsOpenAndTheRuleIsGoneAtTheEnd() {
    MotoAlb alb = alb(MotoAlb.options());
    AlbListenerRouter router = listenerRouter(alb);
    List<Action> listenerBefore = alb.listenerActions();
    List<TrafficSplit> reads = new ArrayList<>();
    List<Boolean> listenerUnchanged = new ArrayList<>();
    List<Integer> previewRules = new ArrayList<>();
    HealthGate whileOpen = HealthGate.of("production while the preview is open", ctx -> {
      reads.add(router.current());
      listenerUnchanged.add(alb.listenerActions().equals(listenerBefore));
      previewRules.add(nonDefault(alb).size());
      return GateResult.healthy();
    });

    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .schedule(StageSchedule.targetWeights(Duration.ofMinutes(1), 50, 100))
        .preview(AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).build())
        .previewGate(HealthGates.consecutiveSuccesses(whileOpen, 2))
        .drainWindow(TargetGroupDrain.of(alb.elb, router))
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).defaultLogging(false).build().execute();

    assertThat(r.outcome()).as(r.summary()).isEqualTo(Outcome.COMPLETED);
    assertThat(reads).hasSize(2).containsOnly(TrafficSplit.allTo(BLUE, GREEN));
    assertThat(listenerUnchanged).containsOnly(true);
    assertThat(previewRules).containsOnly(1);
    assertThat(nonDefault(alb)).as("the preview rule is gone").isEmpty();
    assertThat(alb.counter.count("CreateRule")).isEqualTo(1);
    assertThat(alb.counter.count("DeleteRule")).isEqualTo(1);
    assertThat(alb.counter.count("ModifyListener")).as("one write per stage, none for the preview").isEqualTo(2);
    assertThat(r.drain().orElseThrow().window()).as("blue's deregistration delay").isEqualTo(Duration.ofSeconds(300));
  }

  @Test
  void aTakenPriorityThroughAPlanAbortsWithNoWriteAtAll() {
    MotoAlb alb = alb(MotoAlb.options());
    otherRule(alb, 7, path("/x/*"));
    AlbListenerRouter router = listenerRouter(alb);
    long before = alb.counter.writes();

    SwitchResult r = SwitchPlan.builder().router(router).from(BLUE).to(GREEN)
        .preview(AlbPreviewRule.builder(alb.elb, router).header("X-Preview", TOKEN).priority(7).build())
        .lock(new InProcessRouteLock()).time(VirtualClock.create()).defaultLogging(false).build().execute();

    assertThat(r.outcome()).isEqualTo(Outcome.ABORTED);
    assertThat(r.reason()).contains("preview priority 7 is taken", "nothing was written");
    assertThat(alb.counter.writes()).as("no CreateRule, no ModifyListener").isEqualTo(before);
  }

  @Test
  void headersAlbWouldRejectAreRefusedByTheBuilder() {
    MotoAlb alb = alb(MotoAlb.options());
    AlbListenerRouter router = listenerRouter(alb);
    long before = alb.counter.total();
    for (String[] bad : new String[][] {{"X Preview", "v"}, {"X-Preview-Header-Name-Longer-Than-Forty-Chars", "v"}, {"Host", "v"},
        {"X-Preview", "gr*en"}, {"X-Preview", "has space"}, {"X-Preview", "x".repeat(129)}, {"X-Preview", ""}}) {
      assertThatThrownBy(() -> AlbPreviewRule.builder(alb.elb, router).header(bad[0], bad[1]))
          .as("%s: %s", bad[0], bad[1]).isInstanceOf(InvalidConfigurationException.class);
    }
    assertThatThrownBy(() -> AlbPreviewRule.builder(alb.elb, router).header("X-Preview", "secret value!"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageNotContaining("secret value");
    assertThatThrownBy(() -> AlbPreviewRule.builder(alb.elb, router).host("*.example.com"))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> AlbPreviewRule.builder(alb.elb, router).priority(50_001)).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> AlbPreviewRule.builder(alb.elb, router).build()).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("needs a selector");
    assertThat(alb.counter.total()).as("no AWS call").isEqualTo(before);
  }
}
