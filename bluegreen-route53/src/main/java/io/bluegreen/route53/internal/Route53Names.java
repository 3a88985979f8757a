package io.bluegreen.route53.internal;

import io.bluegreen.core.Checks;
import io.bluegreen.core.InvalidConfigurationException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * Validation and normalisation of what users type: hosted zone ids, record names, record types,
 * SetIdentifiers and health check ids. Every failure says what to pass instead.
 *
 * <pre>{@code
 * Route53Names.hostedZoneId("/hostedzone/Z0123456789ABC");   // "Z0123456789ABC"
 * Route53Names.recordName("API.example.com", "record name"); // "api.example.com."
 * }</pre>
 */
public final class Route53Names {

  /** Route 53's ids are 'Z' and capitals and digits; local fakes (moto, LocalStack) start with any: 1-32 capitals and digits. */
  private static final Pattern ZONE_ID = Pattern.compile("[A-Z0-9]{1,32}");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?");
  private static final Pattern HEALTH_CHECK_ID =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Pattern OCTAL_ESCAPE = Pattern.compile("\\\\([0-7]{3})");
  /** Record types that can carry a weighted routing policy here; SOA and NS are the zone's own. */
  private static final Set<RRType> WEIGHTABLE = Set.of(RRType.A, RRType.AAAA, RRType.CAA, RRType.CNAME, RRType.DS,
      RRType.HTTPS, RRType.MX, RRType.NAPTR, RRType.PTR, RRType.SPF, RRType.SRV, RRType.SSHFP, RRType.SVCB,
      RRType.TLSA, RRType.TXT);

  private Route53Names() {
  }

  /**
   * @param id a hosted zone id, with or without the {@code /hostedzone/} prefix: 1 to 32 capital
   *     letters and digits (Route 53's start with 'Z'; local fakes such as moto start with any)
   * @return the bare id, e.g. {@code Z0123456789ABC}
   * @throws InvalidConfigurationException if it is not of that form
   */
  public static String hostedZoneId(String id) {
    Checks.notBlank(id, "hostedZoneId");
    String bare = id.trim();
    if (bare.startsWith("/hostedzone/")) {
      bare = bare.substring("/hostedzone/".length());
    }
    if (!ZONE_ID.matcher(bare).matches()) {
      String hint = bare.contains(".") ? " (that looks like the zone's name; pass its id instead)"
          : ZONE_ID.matcher(bare.toUpperCase(Locale.ROOT)).matches() ? " (zone ids are upper case)" : "";
      throw new InvalidConfigurationException("hosted zone id \"" + Checks.printable(id) + "\" is invalid" + hint
          + ": pass the id Route 53 shows for the zone, 1 to 32 capital letters and digits such as Z0123456789ABCDEFGHIJ,"
          + " optionally prefixed with /hostedzone/");
    }
    return bare;
  }

  /**
   * Validates a record name and returns it lower-cased, fully qualified (trailing dot).
   *
   * @param name a DNS name such as {@code api.example.com} or {@code *.example.com.}
   * @param what its role, for the message
   * @return the normalised name, e.g. {@code api.example.com.}
   * @throws InvalidConfigurationException if the name is not valid DNS syntax
   */
  public static String recordName(String name, String what) {
    Checks.notBlank(name, what);
    String n = decodeEscapes(name.trim()).toLowerCase(Locale.ROOT);
    if (n.endsWith(".")) {
      n = n.substring(0, n.length() - 1);
    }
    String fix = ": use a DNS name such as api.example.com (labels of 1-63 letters, digits, '-' or '_',"
        + " not starting or ending with '-', separated by dots; '*' only as the whole first label)";
    if (n.isEmpty()) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(name) + "\" is empty" + fix);
    }
    // wire format: one length octet per label plus the root octet, at most 255 octets in all
    if (n.length() + 2 > 255) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(name) + "\" is " + n.length()
          + " characters long: a DNS name is at most 255 octets (253 characters without the final dot)");
    }
    String[] labels = n.split("\\.", -1);
    for (int i = 0; i < labels.length; i++) {
      String label = labels[i];
      if (label.isEmpty()) {
        throw new InvalidConfigurationException(what + " \"" + Checks.printable(name) + "\" has an empty label" + fix);
      }
      if (label.length() > 63) {
        throw new InvalidConfigurationException(what + " \"" + Checks.printable(name) + "\" has a label of "
            + label.length() + " characters (\"" + Checks.printable(label) + "\"): DNS labels are at most 63 characters");
      }
      if (i == 0 && label.equals("*")) {
        continue;
      }
      if (!LABEL.matcher(label).matches()) {
        throw new InvalidConfigurationException(what + " \"" + Checks.printable(name) + "\" has an invalid label \""
            + Checks.printable(label) + "\"" + fix);
      }
    }
    return n + ".";
  }

  /**
   * Normalises a name as Route 53 returns it ({@code \052} escapes, any case) for comparison.
   *
   * @param name a name read from Route 53
   * @return lower-cased, escapes decoded, with a trailing dot
   */
  public static String normaliseRead(String name) {
    if (name == null) {
      return "";
    }
    String n = decodeEscapes(name).toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n : n + ".";
  }

  private static String decodeEscapes(String name) {
    if (name.indexOf('\\') < 0) {
      return name;
    }
    var m = OCTAL_ESCAPE.matcher(name);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 8))));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /**
   * @param type a record type such as {@code "A"} (any case)
   * @return the type
   * @throws InvalidConfigurationException if it is unknown or cannot be weighted
   */
  public static RRType recordType(String type) {
    Checks.notBlank(type, "record type");
    RRType t = RRType.fromValue(type.trim().toUpperCase(Locale.ROOT));
    return recordType(t, type);
  }

  /**
   * @param type a record type
   * @return the type
   * @throws InvalidConfigurationException if it cannot be weighted
   */
  public static RRType recordType(RRType type) {
    Checks.notNull(type, "record type");
    return recordType(type, type.toString());
  }

  private static RRType recordType(RRType t, String given) {
    if (t == null || !WEIGHTABLE.contains(t)) {
      throw new InvalidConfigurationException("record type \"" + Checks.printable(given) + "\" cannot be switched"
          + " with weights: use one of A, AAAA, CNAME, TXT, MX, SRV, CAA, HTTPS, SVCB, PTR, NAPTR, SPF, DS, SSHFP, TLSA"
          + " (SOA and NS belong to the zone)");
    }
    return t;
  }

  /**
   * @param id a SetIdentifier
   * @param what where it is used, for the message
   * @return the id
   * @throws InvalidConfigurationException if it is not 1-128 printable characters
   */
  public static String setIdentifier(String id, String what) {
    Checks.notNull(id, what);
    if (id.isEmpty() || id.length() > 128) {
      throw new InvalidConfigurationException(what + " \"" + Checks.printable(id) + "\" is " + id.length()
          + " characters long: a Route 53 SetIdentifier has 1 to 128 characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new InvalidConfigurationException(what + " \"" + Checks.printable(id)
            + "\" contains a control character: use the SetIdentifier exactly as Route 53 shows it");
      }
    }
    return id;
  }

  /**
   * @param id a Route 53 health check id
   * @return the id, lower-cased
   * @throws InvalidConfigurationException if it is not a UUID
   */
  public static String healthCheckId(String id) {
    Checks.notBlank(id, "healthCheckId");
    String t = id.trim();
    if (!HEALTH_CHECK_ID.matcher(t).matches()) {
      throw new InvalidConfigurationException("health check id \"" + Checks.printable(id) + "\" is invalid: pass the"
          + " id Route 53 shows for the health check, a UUID such as 2b1d6f3e-0c7a-4c55-9f0e-4d2a8b6c1e90");
    }
    return t.toLowerCase(Locale.ROOT);
  }

  /**
   * @param name a fully qualified name
   * @param zone a fully qualified zone name
   * @return whether {@code name} is the zone apex or below it
   */
  public static boolean isInZone(String name, String zone) {
    String n = normaliseRead(name);
    String z = normaliseRead(zone);
    return n.equals(z) || n.endsWith("." + z);
  }

  /**
   * A sort key approximating ListResourceRecordSets order (labels reversed, then type), used
   * only to start reads in a sensible order; correctness never depends on it.
   *
   * @param name a normalised name
   * @param type a type
   * @return the key
   */
  public static String sortKey(String name, String type) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    String[] labels = n.split("\\.");
    StringBuilder sb = new StringBuilder();
    for (int i = labels.length - 1; i >= 0; i--) {
      sb.append(labels[i]).append('.');
    }
    return sb.append(' ').append(type).toString();
  }
}
