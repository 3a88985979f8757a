package io.bluegreen.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One of the places traffic can go: "blue", "green", or any other name.
 *
 * <p>An environment is identified by its {@linkplain #name() name} alone: two environments with the
 * same name are equal even if their version or attributes differ. The version and attributes are
 * descriptive (they appear in events and logs); adapters map the name to their own backend object
 * (a label value, a Service name, a target group ARN, a record SetIdentifier).
 *
 * <pre>{@code
 * Environment blue  = Environment.of("blue");
 * Environment green = Environment.builder("green").version("2.0.0").attribute("commit", "9f1c2e").build();
 * }</pre>
 *
 * <p>Names are 1 to 63 characters of letters, digits, {@code - _ .}, starting and ending with a
 * letter or digit, so that every adapter can use them safely in labels, identifiers and logs.
 */
public final class Environment {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");

  private final String name;
  private final String version;
  private final Map<String, String> attributes;

  private Environment(String name, String version, Map<String, String> attributes) {
    this.name = checkName(name);
    this.version = version;
    this.attributes = Map.copyOf(attributes);
  }

  /**
   * An environment with only a name.
   *
   * @param name 1..63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit
   * @return the environment
   * @throws InvalidConfigurationException if the name is not of that form
   */
  public static Environment of(String name) {
    return new Environment(name, null, Map.of());
  }

  /**
   * Starts a builder for an environment with a version and attributes.
   *
   * @param name see {@link #of(String)}
   * @return a builder
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  static String checkName(String name) {
    if (name == null) {
      throw new InvalidConfigurationException("environment name is null: give each environment a name such as \"blue\" or \"green\"");
    }
    if (!NAME.matcher(name).matches()) {
      throw new InvalidConfigurationException("environment name \"" + Checks.printable(name)
          + "\" is invalid: use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    }
    return name;
  }

  /** @return the name, e.g. {@code "blue"} */
  public String name() {
    return name;
  }

  /** @return the version deployed in this environment, if one was given */
  public Optional<String> version() {
    return Optional.ofNullable(version);
  }

  /** @return free-form descriptive attributes (immutable) */
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Environment other && other.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  /** @return the name, with the version in parentheses when there is one: {@code green(2.0.0)} */
  @Override
  public String toString() {
    return version == null ? name : name + "(" + version + ")";
  }

  /**
   * Builds an {@link Environment}.
   *
   * <pre>{@code
   * Environment green = Environment.builder("green").version("2.0.0").build();
   * }</pre>
   */
  public static final class Builder {
    private final String name;
    private String version;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = name;
    }

    /**
     * @param version the version running in this environment (free text, e.g. "2.0.0")
     * @return this builder
     */
    public Builder version(String version) {
      if (version == null || version.isBlank()) {
        throw new InvalidConfigurationException("environment version is blank: pass a version such as \"2.0.0\" or do not set one");
      }
      this.version = version;
      return this;
    }

    /**
     * @param key attribute name
     * @param value attribute value
     * @return this builder
     */
    public Builder attribute(String key, String value) {
      Objects.requireNonNull(key, "attribute key must not be null");
      Objects.requireNonNull(value, "attribute value must not be null (attribute " + key + ")");
      attributes.put(key, value);
      return this;
    }

    /** @return the environment */
    public Environment build() {
      return new Environment(name, version, attributes);
    }
  }
}
