package io.bluegreen.route53;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.route53.internal.Route53Names;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * One group of weighted records that a {@link WeightedRecordRouter} moves: a record name and type,
 * and the SetIdentifier of each environment's record. Immutable; validated when built.
 *
 * <pre>{@code
 * WeightedRecord api = WeightedRecord.builder()
 *     .name("api.example.com").type("A")
 *     .setIdentifier(blue, "api-blue").setIdentifier(green, "api-green")
 *     .build();
 * WeightedRecord same = WeightedRecord.of("api.example.com", "A", blue, "api-blue", green, "api-green");
 * }</pre>
 *
 * <p>The order environments are mapped in is their display order (in splits, events and logs): map
 * them one by one as above, or pass an ordered map (a {@code LinkedHashMap}, not {@code Map.of},
 * whose order is undefined).
 */
public final class WeightedRecord {

  private final String name;
  private final RRType type;
  private final Map<Environment, String> setIdentifiers;

  private WeightedRecord(Builder b) {
    this.name = Route53Names.recordName(b.name, "record name");
    this.type = b.type == null ? null : Route53Names.recordType(b.type);
    if (this.type == null) {
      throw new InvalidConfigurationException("record " + name + " has no type: set it, e.g. .type(\"A\")");
    }
    if (b.setIdentifiers.size() < 2) {
      throw new InvalidConfigurationException("record " + name + " " + type + " maps " + b.setIdentifiers.size()
          + " environment(s): map at least two environments to the SetIdentifiers of their weighted records");
    }
    if (b.setIdentifiers.size() > 100) {
      throw new InvalidConfigurationException("record " + name + " " + type + " maps " + b.setIdentifiers.size()
          + " environments: Route 53 allows at most 100 weighted records with the same name and type");
    }
    Map<String, Environment> seen = new LinkedHashMap<>();
    for (var e : b.setIdentifiers.entrySet()) {
      Environment other = seen.putIfAbsent(e.getValue(), e.getKey());
      if (other != null) {
        throw new InvalidConfigurationException("record " + name + " " + type + " maps both " + other.name() + " and "
            + e.getKey().name() + " to SetIdentifier \"" + Checks.printable(e.getValue())
            + "\": give each environment its own weighted record");
      }
    }
    this.setIdentifiers = Collections.unmodifiableMap(new LinkedHashMap<>(b.setIdentifiers));
  }

  /**
   * @param name the record name, e.g. {@code api.example.com} (a trailing dot is optional)
   * @param type the record type, e.g. {@code "A"}
   * @param first the first environment in display order, e.g. blue
   * @param firstSetIdentifier the SetIdentifier of its weighted record
   * @param second the second environment, e.g. green
   * @param secondSetIdentifier the SetIdentifier of its weighted record
   * @return the record group
   * @throws InvalidConfigurationException naming what is wrong
   */
  public static WeightedRecord of(String name, String type, Environment first, String firstSetIdentifier, Environment second,
      String secondSetIdentifier) {
    return builder().name(name).type(type).setIdentifier(first, firstSetIdentifier).setIdentifier(second, secondSetIdentifier).build();
  }

  /**
   * @param name the record name, e.g. {@code api.example.com} (a trailing dot is optional)
   * @param type the record type, e.g. {@code "A"}
   * @param setIdentifiers each environment's SetIdentifier; its iteration order is the display order,
   *     so pass an ordered map (a {@code LinkedHashMap}; {@code Map.of} has no defined order)
   * @return the record group
   * @throws InvalidConfigurationException naming what is wrong
   */
  public static WeightedRecord of(String name, String type, Map<Environment, String> setIdentifiers) {
    Builder b = builder().name(name).type(type);
    Checks.notNull(setIdentifiers, "setIdentifiers").forEach(b::setIdentifier);
    return b.build();
  }

  /** @return a builder */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the record name, lower-case and fully qualified, e.g. {@code api.example.com.} */
  public String name() {
    return name;
  }

  /** @return the record type */
  public RRType type() {
    return type;
  }

  /** @return environment to SetIdentifier, in display order (unmodifiable) */
  public Map<Environment, String> setIdentifiers() {
    return setIdentifiers;
  }

  /** @return the environments, in display order */
  public List<Environment> environments() {
    return List.copyOf(setIdentifiers.keySet());
  }

  /**
   * @param environment an environment
   * @return its record's SetIdentifier
   * @throws InvalidConfigurationException if the environment is not mapped
   */
  public String setIdentifier(Environment environment) {
    String id = setIdentifiers.get(environment);
    if (id == null) {
      throw new InvalidConfigurationException("environment " + environment.name() + " has no record in " + this);
    }
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightedRecord r && r.name.equals(name) && r.type == type && r.setIdentifiers.equals(setIdentifiers);
  }

  @Override
  public int hashCode() {
    return (name.hashCode() * 31 + type.hashCode()) * 31 + setIdentifiers.hashCode();
  }

  /** @return e.g. {@code api.example.com. A [blue=api-blue, green=api-green]} */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append(' ').append(type).append(" [");
    setIdentifiers.forEach((e, id) -> sb.append(sb.charAt(sb.length() - 1) == '[' ? "" : ", ").append(e.name()).append('=').append(id));
    return sb.append(']').toString();
  }

  /**
   * Builds a {@link WeightedRecord}.
   *
   * <pre>{@code
   * WeightedRecord r = WeightedRecord.builder().name("www.example.com").type(RRType.CNAME)
   *     .setIdentifier(blue, "www-blue").setIdentifier(green, "www-green").build();
   * }</pre>
   */
  public static final class Builder {
    private String name;
    private RRType type;
    private final Map<Environment, String> setIdentifiers = new LinkedHashMap<>();

    private Builder() {
    }

    /**
     * @param name the record name, e.g. {@code api.example.com}
     * @return this builder
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * @param type the record type, e.g. {@code "A"}, {@code "AAAA"}, {@code "CNAME"}
     * @return this builder
     */
    public Builder type(String type) {
      this.type = Route53Names.recordType(type);
      return this;
    }

    /**
     * @param type the record type
     * @return this builder
     */
    public Builder type(RRType type) {
      this.type = Route53Names.recordType(type);
      return this;
    }

    /**
     * @param environment an environment
     * @param setIdentifier the SetIdentifier of its weighted record (1-128 characters)
     * @return this builder
     */
    public Builder setIdentifier(Environment environment, String setIdentifier) {
      Checks.notNull(environment, "environment");
      Route53Names.setIdentifier(setIdentifier, "SetIdentifier of " + environment.name());
      if (setIdentifiers.containsKey(environment)) {
        throw new InvalidConfigurationException("environment " + environment.name()
            + " is mapped twice: give each environment one SetIdentifier");
      }
      setIdentifiers.put(environment, setIdentifier);
      return this;
    }

    /**
     * @return the record group
     * @throws InvalidConfigurationException naming what is wrong
     */
    public WeightedRecord build() {
      return new WeightedRecord(this);
    }
  }
}
