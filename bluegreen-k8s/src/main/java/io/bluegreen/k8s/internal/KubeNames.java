package io.bluegreen.k8s.internal;

import io.bluegreen.core.Checks;
import io.bluegreen.core.Environment;
import io.bluegreen.core.InvalidConfigurationException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes name syntax, checked before any request so that nothing a user passes can reach a
 * request path, a label selector or a written object unless it is a well-formed name.
 */
public final class KubeNames {

  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");

  private KubeNames() {
  }

  /**
   * A namespace: a DNS-1123 label.
   *
   * @param value the namespace
   * @param what its role, for the message
   * @return the value
   */
  public static String namespace(String value, String what) {
    return dnsLabel(value, what, "namespace");
  }

  /**
   * A DNS-1123 label (1-63 lowercase alphanumerics or '-', alphanumeric at both ends).
   *
   * @param value the name
   * @param what its role, for the message
   * @param kind the kind of name, for the message
   * @return the value
   */
  public static String dnsLabel(String value, String what, String kind) {
    Checks.notNull(value, what);
    if (value.length() > 63 || !DNS1123_LABEL.matcher(value).matches()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is not a valid Kubernetes " + kind
          + " name: use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. \""
          + ("namespace".equals(kind) ? "default" : "app") + "\")");
    }
    return value;
  }

  /**
   * A Service name: a DNS-1123 label. Kubernetes 1.36 accepts one starting with a digit ("1app");
   * older releases want a DNS-1035 label (a letter first), and there such a Service cannot exist, so
   * the router's preflight says it was not found. Refusing "1app" here would refuse a Service that a
   * current cluster can have.
   *
   * @param value the name
   * @param what its role, for the message
   * @return the value
   */
  public static String serviceName(String value, String what) {
    Checks.notNull(value, what);
    if (value.length() > 63 || !DNS1123_LABEL.matcher(value).matches()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is not a valid Kubernetes Service name:"
          + " use 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit (e.g. \"app-green\")");
    }
    return value;
  }

  /**
   * Adds an environment's Service to a mapping, checking the name and that each environment and each
   * Service is mapped once.
   *
   * @param services the mapping being built
   * @param environment the environment
   * @param serviceName its Service
   */
  public static void mapService(Map<Environment, String> services, Environment environment, String serviceName) {
    Checks.notNull(environment, "environment");
    serviceName(serviceName, "service of environment " + environment.name());
    if (services.containsKey(environment)) {
      throw new InvalidConfigurationException("environment " + environment.name() + " is mapped twice: map each environment once");
    }
    if (services.containsValue(serviceName)) {
      throw new InvalidConfigurationException("Service " + serviceName + " is mapped to two environments: give each its own Service");
    }
    services.put(environment, serviceName);
  }

  /**
   * An object name that is a DNS-1123 subdomain (Ingress, HTTPRoute, Deployment, Lease, ...).
   *
   * @param value the name
   * @param what its role, for the message
   * @return the value
   */
  public static String objectName(String value, String what) {
    return dnsSubdomain(value, what, "Kubernetes object", "app-route");
  }

  /**
   * A DNS-1123 subdomain (at most 253 characters of dot-separated DNS-1123 labels), as the API server
   * (or a CRD's schema) requires of object names and of HTTPRoute rule names.
   *
   * @param value the name
   * @param what its role, for the message
   * @param kind what kind of name, for the message (e.g. "HTTPRoute rule")
   * @param example a valid example, for the message
   * @return the value
   */
  public static String dnsSubdomain(String value, String what, String kind, String example) {
    Checks.notNull(value, what);
    if (!isDnsSubdomain(value)) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is not a valid " + kind + " name:"
          + " use at most 253 lowercase letters, digits, '-' or '.', each dot-separated part starting and ending with a letter or digit"
          + " (e.g. \"" + example + "\")");
    }
    return value;
  }

  /**
   * A label value: 1-63 characters of letters, digits, '-', '_' or '.', alphanumeric at both ends.
   * (Kubernetes also allows an empty value; an environment mapping never needs one.)
   *
   * @param value the value
   * @param what its role, for the message
   * @return the value
   */
  public static String labelValue(String value, String what) {
    Checks.notNull(value, what);
    if (value.isEmpty() || value.length() > 63 || !LABEL_NAME.matcher(value).matches()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is not a valid Kubernetes label value:"
          + " use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. \"green\" or \"v2.0.1\")");
    }
    return value;
  }

  /**
   * A label key: an optional DNS-subdomain prefix and '/', then a name of 1-63 letters, digits,
   * '-', '_' or '.', alphanumeric at both ends.
   *
   * @param value the key
   * @param what its role, for the message
   * @return the value
   */
  public static String labelKey(String value, String what) {
    Checks.notNull(value, what);
    int slash = value.indexOf('/');
    String prefix = slash < 0 ? null : value.substring(0, slash);
    String name = slash < 0 ? value : value.substring(slash + 1);
    boolean ok = !name.isEmpty() && name.length() <= 63 && LABEL_NAME.matcher(name).matches()
        && (prefix == null || isDnsSubdomain(prefix));
    if (!ok) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is not a valid Kubernetes label key:"
          + " use an optional DNS-subdomain prefix and '/', then 1-63 letters, digits, '-', '_' or '.', starting and ending with"
          + " a letter or digit (e.g. \"version\" or \"app.kubernetes.io/version\")");
    }
    return value;
  }

  /**
   * An Ingress rule host: a DNS subdomain (at most 253 characters, dot-separated parts of 1-63
   * lowercase letters, digits or '-'), optionally with a leading {@code *.}; not an IP address (the API
   * server rejects IP hosts in Ingress rules).
   *
   * @param value the host, not null or empty
   * @param what its role, for the message
   * @return the value
   */
  public static String ingressHost(String value, String what) {
    Checks.notNull(value, what);
    if (IPV4.matcher(value).matches()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is an IP address, which an Ingress rule"
          + " cannot have as host: use the DNS name clients send (e.g. shop.example.com), or null for rules without host");
    }
    String name = value.startsWith("*.") ? value.substring(2) : value;
    if (!isDnsSubdomain(name)) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(value) + "\" is not a valid Ingress host:"
          + " use a lowercase DNS name such as shop.example.com or *.example.com (at most 253 characters, each dot-separated"
          + " part 1-63 characters), or null for rules without host");
    }
    return value;
  }

  private static boolean isDnsSubdomain(String value) {
    if (value.isEmpty() || value.length() > 253) {
      return false;
    }
    for (String part : value.split("\\.", -1)) {
      if (part.isEmpty() || part.length() > 63 || !DNS1123_LABEL.matcher(part).matches()) {
        return false;
      }
    }
    return true;
  }
}
