package io.bluegreen.route53;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.RouterException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import io.bluegreen.route53.internal.Route53Errors;
import io.bluegreen.route53.internal.Route53Names;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Change;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.ChangeBatch;
import software.amazon.awssdk.services.route53.model.ChangeInfo;
import software.amazon.awssdk.services.route53.model.ChangeStatus;
import software.amazon.awssdk.services.route53.model.NoSuchHostedZoneException;
import software.amazon.awssdk.services.route53.model.RRType;
import software.amazon.awssdk.services.route53.model.ResourceRecord;
import software.amazon.awssdk.services.route53.model.ResourceRecordSet;

/**
 * A preview route in Route 53: a plain record under its own name (e.g. {@code green.api.example.com})
 * with the target environment's value, copied from its weighted record (its values and TTL, or its
 * alias target), created when the plan opens the preview and deleted when it ends. The weighted
 * records users resolve are never touched. Each change is waited for INSYNC, like the router's.
 *
 * <pre>{@code
 * WeightedRecordRouter router = WeightedRecordRouter.builder(route53).hostedZoneId("Z0123456789ABCDEFGHIJ")
 *     .record("api.example.com", "A", Map.of(blue, "api-blue", green, "api-green")).build();
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(PreviewRecord.builder(route53, router).name("green.api.example.com").build())
 *     .previewGate(PreviewHttpGate.path("/health"))           // https://green.api.example.com/health
 *     .build().execute();
 * }</pre>
 *
 * <p>The record is created together with a TXT record {@code _bluegreen-preview.<name>} naming the route
 * and the plan's owner, in one ChangeBatch (both or neither): a run after a crash finds that marker
 * and removes both, saying whose they were. Preflight (read-only: GetHostedZone,
 * ListResourceRecordSets) refuses a name outside the zone and a name that already holds a record
 * bluegreen did not create; {@link Builder#build()} refuses the production record's own name.
 * IAM: route53:GetHostedZone, ListResourceRecordSets, ChangeResourceRecordSets, GetChange.
 */
public final class PreviewRecord implements PreviewRoute {

  private static final Logger LOG = LoggerFactory.getLogger(PreviewRecord.class);
  /** The marker record's first label. */
  public static final String MARKER_LABEL = "_bluegreen-preview";

  private final Route53Client route53;
  private final WeightedRecordRouter router;
  private final WeightedRecord source;
  private final String name;
  private final String markerName;
  private final String scheme;
  private final AtomicReference<String> pendingChange = new AtomicReference<>();

  private PreviewRecord(Builder b) {
    this.route53 = b.route53;
    this.router = b.router;
    this.source = b.source;
    this.name = b.name;
    this.markerName = MARKER_LABEL + "." + b.name;
    this.scheme = b.scheme;
  }

  /**
   * @param route53 the client (the router's)
   * @param router the production router
   * @return a builder
   */
  public static Builder builder(Route53Client route53, WeightedRecordRouter router) {
    return new Builder(route53, router);
  }

  @Override
  public String describe() {
    return "preview record " + name + " " + source.type() + " in zone " + router.hostedZoneId();
  }

  @Override
  public void validate(Environment environment) {
    if (!source.environments().contains(environment)) {
      throw new InvalidConfigurationException(describe() + ": environment " + environment.name() + " has no record in " + source);
    }
  }

  /** What the zone holds for the preview: the records at its name, the marker, and the target's weighted record. */
  private record Scene(List<ResourceRecordSet> atName, ResourceRecordSet marker, ResourceRecordSet target) {
    boolean ours(String routeId) {
      return marker != null && marker.resourceRecords().stream().anyMatch(r -> r.value().contains("route=" + routeId + " "));
    }
  }

  @Override
  public PreviewEndpoint preflight(PreviewRequest request) {
    String zoneName;
    try {
      zoneName = route53.getHostedZone(r -> r.id(router.hostedZoneId())).hostedZone().name();
    } catch (NoSuchHostedZoneException e) {
      throw new PreflightException("hosted zone " + router.hostedZoneId() + " does not exist: fix the router's hostedZoneId; nothing was written", e);
    } catch (SdkException e) {
      throw Route53Errors.wrap(route53, "GetHostedZone " + router.hostedZoneId(), e);
    }
    if (!Route53Names.isInZone(name, zoneName)) {
      throw new PreflightException("preview record " + name + " is not inside zone " + router.hostedZoneId() + " (" + zoneName
          + "): choose a name in the zone, e.g. green." + source.name() + "; nothing was written");
    }
    Scene scene = read(request.environment());
    if (!scene.atName().isEmpty() && !scene.ours(request.routeId())) {
      throw new PreflightException(name + " already holds " + types(scene.atName()) + " not created by bluegreen for " + request.routeId()
          + ": choose another preview name, or delete that record; nothing was written");
    }
    if (scene.target() == null) {
      throw new PreflightException(source + " has no record for " + request.environment().name() + " to copy; nothing was written");
    }
    return endpoint(request);
  }

  @Override
  public PreviewEndpoint open(PreviewRequest request) {
    Scene scene = read(request.environment());
    if (scene.target() == null) {
      throw RouterException.permanentFailure(source + " has no record for " + request.environment().name() + " to copy", null);
    }
    ResourceRecordSet wanted = previewOf(scene.target());
    List<Change> changes = new ArrayList<>();
    if (scene.ours(request.routeId())) {
      if (scene.atName().size() == 1 && sameContent(scene.atName().get(0), wanted)
          && scene.marker().resourceRecords().get(0).value().contains("owner=" + quote(request.owner()))) {
        LOG.info("{}: already open", describe());
        return endpoint(request);
      }
      scene.atName().forEach(r -> changes.add(change(ChangeAction.DELETE, r)));
      changes.add(change(ChangeAction.DELETE, scene.marker()));
    } else if (!scene.atName().isEmpty()) {
      throw RouterException.permanentFailure(name + " already holds " + types(scene.atName()) + " not created by bluegreen", null);
    }
    changes.add(change(ChangeAction.CREATE, wanted));
    changes.add(change(ChangeAction.CREATE, marker(request)));
    write(changes, "open " + describe());
    return endpoint(request);
  }

  @Override
  public Optional<String> pending(PreviewRequest request) {
    String id = pendingChange.get();
    if (id == null) {
      return Optional.empty();
    }
    ChangeInfo info;
    try {
      info = route53.getChange(r -> r.id(id)).changeInfo();
    } catch (SdkException e) {
      throw Route53Errors.wrap(route53, "GetChange " + id, e);
    }
    if (info.status() == ChangeStatus.INSYNC) {
      pendingChange.compareAndSet(id, null);
      return Optional.empty();
    }
    return Optional.of("change " + id + " creating " + name + " is " + info.statusAsString());
  }

  @Override
  public Optional<String> close(PreviewRequest request) {
    Scene scene = read(request.environment());
    if (!scene.ours(request.routeId())) {
      return Optional.empty();
    }
    List<Change> changes = new ArrayList<>();
    scene.atName().forEach(r -> changes.add(change(ChangeAction.DELETE, r)));
    changes.add(change(ChangeAction.DELETE, scene.marker()));
    write(changes, "close " + describe());
    String value = scene.marker().resourceRecords().get(0).value();
    int at = value.indexOf("owner=");
    String owner = at < 0 ? "an unknown owner" : value.substring(at + 6).replaceAll("\"$", "");
    return Optional.of("record " + name + " " + types(scene.atName()) + " and its marker, opened by " + owner);
  }

  // ----------------------------------------------------------------------------------------------

  private Scene read(Environment environment) {
    List<ResourceRecordSet> atName = list(name, null).stream().filter(r -> Route53Names.normaliseRead(r.name()).equals(name)).toList();
    ResourceRecordSet marker = list(markerName, RRType.TXT).stream()
        .filter(r -> Route53Names.normaliseRead(r.name()).equals(markerName) && r.type() == RRType.TXT).findFirst().orElse(null);
    String setId = source.setIdentifiers().get(environment);
    ResourceRecordSet target = setId == null ? null : list(source.name(), source.type()).stream()
        .filter(r -> Route53Names.normaliseRead(r.name()).equals(source.name()) && r.type() == source.type() && setId.equals(r.setIdentifier()))
        .findFirst().orElse(null);
    return new Scene(atName, marker, target);
  }

  private List<ResourceRecordSet> list(String start, RRType type) {
    try {
      return route53.listResourceRecordSets(r -> {
        r.hostedZoneId(router.hostedZoneId()).startRecordName(start).maxItems("100");
        if (type != null) {
          r.startRecordType(type);
        }
      }).resourceRecordSets();
    } catch (SdkException e) {
      throw Route53Errors.wrap(route53, "ListResourceRecordSets " + start + " in zone " + router.hostedZoneId(), e);
    }
  }

  private void write(List<Change> changes, String what) {
    ChangeInfo info;
    try {
      info = route53.changeResourceRecordSets(r -> r.hostedZoneId(router.hostedZoneId())
          .changeBatch(ChangeBatch.builder().comment("bluegreen " + what).changes(changes).build())).changeInfo();
    } catch (SdkException e) {
      throw Route53Errors.wrap(route53, "ChangeResourceRecordSets (" + what + ")", e);
    }
    LOG.info("{}: {} ({} changes), change {} is {}", describe(), what, changes.size(), info.id(), info.statusAsString());
    pendingChange.set(info.status() == ChangeStatus.INSYNC ? null : info.id());
  }

  private ResourceRecordSet previewOf(ResourceRecordSet weighted) {
    return weighted.toBuilder().name(name).setIdentifier(null).weight(null).healthCheckId(null).build();
  }

  private ResourceRecordSet marker(PreviewRequest request) {
    String text = "\"bluegreen preview route=" + quote(request.routeId()) + " owner=" + quote(request.owner()) + "\"";
    return ResourceRecordSet.builder().name(markerName).type(RRType.TXT).ttl(60L)
        .resourceRecords(ResourceRecord.builder().value(text).build()).build();
  }

  /** TXT strings: at most 255 characters, with quotes and backslashes escaped. */
  private static String quote(String s) {
    String clean = s.replace("\\", "_").replace("\"", "_");
    return clean.length() > 100 ? clean.substring(0, 100) : clean;
  }

  private static boolean sameContent(ResourceRecordSet a, ResourceRecordSet b) {
    return a.type() == b.type() && java.util.Objects.equals(a.ttl(), b.ttl()) && java.util.Objects.equals(a.aliasTarget(), b.aliasTarget())
        && new java.util.HashSet<>(a.resourceRecords()).equals(new java.util.HashSet<>(b.resourceRecords()));
  }

  private static Change change(ChangeAction action, ResourceRecordSet set) {
    return Change.builder().action(action).resourceRecordSet(set).build();
  }

  private static String types(List<ResourceRecordSet> sets) {
    return sets.stream().map(ResourceRecordSet::typeAsString).distinct().toList() + " record" + (sets.size() == 1 ? "" : "s");
  }

  private PreviewEndpoint endpoint(PreviewRequest request) {
    String host = name.substring(0, name.length() - 1);
    return PreviewEndpoint.builder(request.environment(), "record " + host + " " + source.type() + " copied from " + source.name()
        + " \"" + source.setIdentifier(request.environment()) + "\"").host(host).url(URI.create(scheme + "://" + host + "/")).build();
  }

  @Override
  public String toString() {
    return "PreviewRecord{" + describe() + "}";
  }

  /**
   * Builds a {@link PreviewRecord}; {@link #build()} checks the name without calling AWS.
   *
   * <pre>{@code
   * PreviewRecord.builder(route53, router).name("green.api.example.com").scheme("http").build();
   * }</pre>
   */
  public static final class Builder {
    private final Route53Client route53;
    private final WeightedRecordRouter router;
    private WeightedRecord source;
    private String name;
    private String scheme = "https";

    private Builder(Route53Client route53, WeightedRecordRouter router) {
      this.route53 = Checks.notNull(route53, "route53 client");
      this.router = Checks.notNull(router, "router");
    }

    /** @param name the preview record's name, e.g. green.api.example.com (in the router's zone; not a production record's name) @return this builder */
    public Builder name(String name) {
      this.name = Route53Names.recordName(name, "preview record name");
      if (this.name.startsWith("*.")) {
        throw new InvalidConfigurationException("preview record name " + Checks.printable(name) + " is a wildcard: use one name, e.g. green."
            + name.substring(2));
      }
      return this;
    }

    /**
     * @param name the record group of the router whose target record is copied (default: its only one)
     * @param type its type
     * @return this builder
     */
    public Builder source(String name, String type) {
      String n = Route53Names.recordName(name, "source record name");
      RRType t = Route53Names.recordType(type);
      this.source = router.records().stream().filter(r -> r.name().equals(n) && r.type() == t).findFirst()
          .orElseThrow(() -> new InvalidConfigurationException(n + " " + t + " is not a record of " + router.routeId() + ": use one of "
              + router.records()));
      return this;
    }

    /** @param scheme http or https, for the preview URL (default https) @return this builder */
    public Builder scheme(String scheme) {
      String s = Checks.notNull(scheme, "scheme").toLowerCase(Locale.ROOT);
      if (!s.equals("http") && !s.equals("https")) {
        throw new InvalidConfigurationException("scheme " + Checks.printable(scheme) + " must be http or https");
      }
      this.scheme = s;
      return this;
    }

    /** @return the preview route */
    public PreviewRecord build() {
      if (name == null) {
        throw new InvalidConfigurationException("the preview record needs a name: call name(\"green.api.example.com\")");
      }
      if (source == null) {
        if (router.records().size() > 1) {
          throw new InvalidConfigurationException(router.routeId() + " moves " + router.records().size() + " record groups: say which"
              + " one the preview copies with source(name, type)");
        }
        source = router.records().get(0);
      }
      for (WeightedRecord r : router.records()) {
        if (r.name().equals(name)) {
          throw new InvalidConfigurationException("preview record name " + name + " is the production record " + r + ": every user"
              + " resolving it would be affected; choose another name, e.g. green." + r.name());
        }
      }
      return new PreviewRecord(this);
    }
  }
}
