package io.bluegreen.core.preview;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import io.bluegreen.core.Redaction;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How to reach an environment through the production front door before the switch: the URL (when
 * known), the host name a request must carry (a host-based preview), and the header that selects the
 * preview (a header-based one). Immutable. Its {@link #toString()} names the header but never prints
 * its value, which may be a shared secret.
 *
 * <pre>{@code
 * PreviewEndpoint preview = ctx.preview().orElseThrow();      // in a preview gate
 * HttpRequest.Builder request = HttpRequest.newBuilder(preview.url().orElseThrow().resolve("/checkout"));
 * preview.headers().forEach(request::header);                   // X-Preview: <value>
 * }</pre>
 */
public final class PreviewEndpoint {

  /** RFC 9110 token characters: what a header name may hold. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,256}");
  /** Visible ASCII and inner spaces or tabs: what a header value sent by a client may hold. */
  private static final Pattern FIELD_VALUE = Pattern.compile("[\\x21-\\x7e]([\\x20-\\x7e\\t]{0,4094}[\\x21-\\x7e])?");

  private final Environment environment;
  private final String description;
  private final URI url;
  private final String host;
  private final String headerName;
  private final String headerValue;

  private PreviewEndpoint(Builder b) {
    this.environment = Checks.notNull(b.environment, "environment");
    this.description = Checks.notBlank(b.description, "description");
    this.url = b.url;
    this.host = b.host;
    this.headerName = b.headerName;
    this.headerValue = b.headerValue;
  }

  /**
   * @param environment the environment the preview reaches
   * @param description what the preview is, for events and logs (no secret in it)
   * @return a builder
   */
  public static Builder builder(Environment environment, String description) {
    return new Builder(environment, description);
  }

  /**
   * Checks a header name as HTTP defines it (a token).
   *
   * @param name a header name
   * @param what its name in the message
   * @return the name
   * @throws InvalidConfigurationException if it is not a valid header name
   */
  public static String checkHeaderName(String name, String what) {
    Checks.notNull(name, what);
    if (!TOKEN.matcher(name).matches()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(name) + "\" is not a valid HTTP header name: use 1-256"
          + " letters, digits and !#$%&'*+.^_`|~- (e.g. X-Preview)");
    }
    return name;
  }

  /**
   * Checks a header value a client can send: visible ASCII, inner spaces allowed, no leading or
   * trailing white space, at most 4096 characters. The value is not printed in the message.
   *
   * @param value a header value
   * @param what its name in the message
   * @return the value
   * @throws InvalidConfigurationException if a client could not send it as given
   */
  public static String checkHeaderValue(String value, String what) {
    Checks.notNull(value, what);
    if (!FIELD_VALUE.matcher(value).matches()) {
      throw new InvalidConfigurationException(what + " (" + value.length() + " characters, not shown) is not a header value clients"
          + " can send: use 1-4096 visible ASCII characters, spaces only between them");
    }
    return value;
  }

  /** @return the environment reached through the preview */
  public Environment environment() {
    return environment;
  }

  /** @return what the preview is, e.g. "listener rule at priority 7: header X-Preview -> targetgroup/shop-green" */
  public String description() {
    return description;
  }

  /** @return where to send preview requests (the front door's URL, or the preview host's), when known */
  public Optional<URI> url() {
    return Optional.ofNullable(url);
  }

  /** @return the host name preview requests must carry, for a host-based preview */
  public Optional<String> host() {
    return Optional.ofNullable(host);
  }

  /** @return the header that selects the preview, for a header-based one */
  public Optional<String> headerName() {
    return Optional.ofNullable(headerName);
  }

  /** @return its value (never printed by the library) */
  public Optional<String> headerValue() {
    return Optional.ofNullable(headerValue);
  }

  /** @return the headers a preview request must carry: the header and its value, or nothing */
  public Map<String, String> headers() {
    return headerName == null ? Map.of() : Map.of(headerName, headerValue);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreviewEndpoint p && environment.equals(p.environment) && description.equals(p.description)
        && Objects.equals(url, p.url) && Objects.equals(host, p.host) && Objects.equals(headerName, p.headerName)
        && Objects.equals(headerValue, p.headerValue);
  }

  @Override
  public int hashCode() {
    return Objects.hash(environment, description, url, host, headerName);
  }

  /**
   * @return the description, URL, host and header name, through {@link Redaction} (the URL without
   *     user info, query values or fragment); never the header value
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("preview of ").append(environment.name()).append(": ").append(description);
    if (url != null) {
      sb.append(" at ").append(Redaction.uri(url));
    }
    if (host != null && (url == null || !host.equalsIgnoreCase(url.getHost()))) {
      sb.append(" (Host ").append(host).append(')');
    }
    if (headerName != null) {
      sb.append(" with header ").append(headerName);
    }
    return Redaction.text(sb.toString(), headerValue == null ? List.of() : List.of(headerValue));
  }

  /**
   * Builds a {@link PreviewEndpoint}.
   *
   * <pre>{@code
   * PreviewEndpoint.builder(green, "HTTPRoute shop/app rule bluegreen-preview: header X-Preview -> app-green")
   *     .url(URI.create("https://shop.example.com/")).header("X-Preview", token).build();
   * }</pre>
   */
  public static final class Builder {
    private final Environment environment;
    private final String description;
    private URI url;
    private String host;
    private String headerName;
    private String headerValue;

    private Builder(Environment environment, String description) {
      this.environment = environment;
      this.description = description;
    }

    /** @param url an http(s) URL without user info, where preview requests go @return this */
    public Builder url(URI url) {
      Checks.notNull(url, "preview url");
      if (url.getUserInfo() != null) {
        throw new InvalidConfigurationException("preview url must not carry user info: send credentials in a header");
      }
      if (url.getScheme() == null || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))
          || url.getHost() == null) {
        throw new InvalidConfigurationException("preview url " + Redaction.uri(url) + " is not an absolute http(s) URL: pass e.g."
            + " https://shop.example.com/");
      }
      this.url = url;
      return this;
    }

    /** @param host the host name preview requests carry @return this */
    public Builder host(String host) {
      this.host = Checks.notBlank(host, "preview host");
      return this;
    }

    /**
     * @param name the header that selects the preview
     * @param value its value (never printed)
     * @return this
     */
    public Builder header(String name, String value) {
      this.headerName = checkHeaderName(name, "preview header name");
      this.headerValue = checkHeaderValue(value, "preview header value");
      return this;
    }

    /** @return the endpoint */
    public PreviewEndpoint build() {
      return new PreviewEndpoint(this);
    }
  }
}
