package io.bluegreen.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule by which bluegreen prints anything that may carry a secret. Every gate, router,
 * event and exception message of the library goes through it; use it in your own routers and
 * gates too.
 *
 * <ul>
 *   <li><b>URIs</b> ({@link #uri(URI)}): the user info is removed, every query value is replaced by
 *       {@value #REDACTED} (the names stay, so {@code ?token=<redacted>&region=<redacted>} still
 *       says what was sent; a part without a name is redacted whole), the fragment is removed. Scheme, host, port and path are kept. What
 *       cannot be parsed is never echoed.</li>
 *   <li><b>Free text</b> ({@link #text(String)}, e.g. a backend's error message): every URI in it
 *       as above, plus the values of {@code Authorization:} headers, {@code Bearer} tokens, JSON
 *       Web Tokens, AWS access key ids, and {@code key=value} / {@code key: value} pairs whose key
 *       names a credential ({@code token}, {@code password}, {@code secret}, {@code
 *       client_secret}, {@code api_key}, {@code session_token}, {@code signature}, ...).</li>
 *   <li><b>Known secrets</b> ({@link #text(String, Collection)}): values the caller holds (a
 *       client's token, keys, header values) are replaced wherever they appear, in any form the
 *       backend echoes them.</li>
 *   <li><b>Exceptions</b> ({@link #exception(Throwable, Collection)}): a client library's exception
 *       whose message (or a cause's) carries a secret is replaced by a copy that does not.</li>
 *   <li><b>Header values</b> are never printed at all; print header names only.</li>
 * </ul>
 *
 * <pre>{@code
 * Redaction.uri(URI.create("https://ops:pw@green.internal:8443/health?token=abc&verbose#top"));
 * //   "https://green.internal:8443/health?token=<redacted>&<redacted>"
 * Redaction.uri("http://exa mple/?token=abc");          // "<unparseable-uri>": nothing echoed
 * Redaction.text("GET https://x/y?sig=abc failed: Authorization: Bearer eyJ...");
 * //   "GET https://x/y?sig=<redacted> failed: Authorization: <redacted>"
 * throw RouterException.permanentFailure("PUT weights failed: " + Redaction.text(e.getMessage(), List.of(apiToken)),
 *     Redaction.exception(e, List.of(apiToken)));
 * }</pre>
 *
 * <p>Paths are printed as given: do not put secrets in URI paths. Known secrets shorter than
 * {@value #MIN_SECRET_LENGTH} characters are not searched for (they would match ordinary words).
 */
public final class Redaction {

  /** What replaces a redacted value. */
  public static final String REDACTED = "<redacted>";
  /** What stands for a URI that cannot be parsed. */
  public static final String UNPARSEABLE = "<unparseable-uri>";
  /** Known secrets shorter than this are not searched for. */
  public static final int MIN_SECRET_LENGTH = 4;

  private static final int MAX_URI = 400;
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*");
  private static final Pattern LENIENT = Pattern.compile(
      "([A-Za-z][A-Za-z0-9+.-]*)://(?:[^@/?#\\s]*@)?(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)(:\\d{1,5})?(?:[/?#].*)?");
  private static final String MARK = "%3Credacted%3E";
  private static final String UNPARSEABLE_MARK = "%3Cunparseable-uri%3E";
  private static final Pattern URI_IN_TEXT = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://(?:[^\\s\"'<>`]|<redacted>|<unparseable-uri>)+");
  private static final String TRAILING = ".,;:!?)]}";
  private static final Pattern AUTHORIZATION =
      Pattern.compile("(?i)\\b((?:proxy-)?authorization)(\\s*[:=]\\s*)[^\\r\\n,;}\\]]+");
  /** A bearer token: 8 or more token characters with a digit in them (so "bearer token" in prose stays). */
  private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer)(\\s+)(?=[A-Za-z._~+/=-]*\\d)[A-Za-z0-9._~+/=-]{8,}");
  private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\\b");
  private static final Pattern CREDENTIAL_PAIR = Pattern.compile("(?i)(?<![A-Za-z0-9])((?:[a-z0-9]+[_-]?)?(?:access[_-]?key(?:[_-]?id)?"
      + "|secret(?:[_-]?access)?(?:[_-]?key)?|session[_-]?token|security[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token"
      + "|client[_-]?secret|password|passwd|pwd|passphrase|token|api[_-]?key|apikey|signature|private[_-]?key))"
      + "(\"?\\s*[=:]\\s*)(\"?)([^\\s\"&,;)}\\]]+)");

  private Redaction() {
  }

  /**
   * @param uri a URI (may be null)
   * @return it without user info, with every query value redacted and without fragment
   */
  public static String uri(URI uri) {
    if (uri == null) {
      return "null";
    }
    if (uri.isOpaque()) {
      String ssp = uri.getRawSchemeSpecificPart();
      if (ssp.matches("\\d{1,5}")) {
        return uri.getScheme() + ":" + ssp; // host:port, e.g. "localhost:8080"
      }
      return uri.getScheme() + ":" + (ssp.contains("//") ? uri(ssp) : REDACTED);
    }
    StringBuilder sb = new StringBuilder();
    if (uri.getScheme() != null) {
      sb.append(uri.getScheme()).append(':');
    }
    if (uri.getRawAuthority() != null) {
      sb.append("//");
      if (uri.getHost() != null) {
        sb.append(uri.getHost());
        if (uri.getPort() >= 0) {
          sb.append(':').append(uri.getPort());
        }
      } else {
        String authority = uri.getRawAuthority();
        sb.append(authority.substring(authority.lastIndexOf('@') + 1));
      }
    }
    if (uri.getRawPath() != null) {
      sb.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      sb.append('?').append(query(uri.getRawQuery()));
    }
    return printable(sb.toString());
  }

  /**
   * Never throws and never echoes what it cannot parse: an unparseable URI prints as its scheme,
   * host and port if those can be recognised, else as {@value #UNPARSEABLE}.
   *
   * @param uri a URI as text (may be null)
   * @return it redacted as {@link #uri(URI)} does
   */
  public static String uri(String uri) {
    if (uri == null) {
      return "null";
    }
    // what an earlier pass redacted stays redacted (the rule is idempotent)
    String s = uri.trim().replace(REDACTED, MARK).replace(UNPARSEABLE, UNPARSEABLE_MARK);
    try {
      return uri(new URI(s)).replace(MARK, REDACTED).replace(UNPARSEABLE_MARK, UNPARSEABLE);
    } catch (URISyntaxException e) {
      Matcher m = LENIENT.matcher(s);
      if (m.matches()) {
        return m.group(1) + "://" + m.group(2) + (m.group(3) == null ? "" : m.group(3)) + "/" + UNPARSEABLE;
      }
      return UNPARSEABLE;
    }
  }

  private static String query(String rawQuery) {
    List<String> parts = new ArrayList<>();
    for (String part : rawQuery.split("&", -1)) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      // a part without '=' may be a bare value (a token): it is redacted as a whole
      parts.add(eq < 0 ? (part.isEmpty() ? "" : REDACTED) : name + "=" + REDACTED);
    }
    return String.join("&", parts);
  }

  /**
   * Redacts every URI in a text and the values of credentials written as {@code Authorization: ...},
   * {@code Bearer ...}, JSON Web Tokens, AWS access key ids and {@code key=value} pairs that name a
   * credential.
   *
   * @param text free text such as a backend's error message (may be null)
   * @return the text with those parts redacted
   */
  public static String text(String text) {
    return text(text, List.of());
  }

  /**
   * {@link #text(String)}, and every occurrence of each known secret replaced as well (also
   * URL-encoded, as a backend may echo it from a query).
   *
   * @param text free text (may be null)
   * @param secrets values the caller holds: tokens, keys, passwords, header values (null entries and
   *     entries shorter than {@value #MIN_SECRET_LENGTH} characters are skipped)
   * @return the text with the secrets and the structural matches redacted
   */
  public static String text(String text, Collection<String> secrets) {
    if (text == null) {
      return null;
    }
    String out = replaceUris(text);
    for (String secret : secrets == null ? List.<String>of() : secrets) {
      if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
        out = out.replace(secret, REDACTED);
        String encoded = java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8);
        if (!encoded.equals(secret)) {
          out = out.replace(encoded, REDACTED);
        }
      }
    }
    out = AUTHORIZATION.matcher(out).replaceAll("$1$2" + Matcher.quoteReplacement(REDACTED));
    out = BEARER.matcher(out).replaceAll("$1$2" + Matcher.quoteReplacement(REDACTED));
    out = JWT.matcher(out).replaceAll(Matcher.quoteReplacement(REDACTED));
    out = ACCESS_KEY_ID.matcher(out).replaceAll(Matcher.quoteReplacement(REDACTED));
    out = CREDENTIAL_PAIR.matcher(out).replaceAll(m -> m.group(4).equals(REDACTED) || m.group(4).startsWith("<redacted")
        ? Matcher.quoteReplacement(m.group())
        : Matcher.quoteReplacement(m.group(1) + m.group(2) + m.group(3) + REDACTED));
    return out;
  }

  private static String replaceUris(String text) {
    Matcher m = URI_IN_TEXT.matcher(text);
    StringBuilder sb = new StringBuilder();
    int last = 0;
    while (m.find()) {
      String found = m.group();
      int end = found.length();
      while (end > 0 && TRAILING.indexOf(found.charAt(end - 1)) >= 0) {
        end--;
      }
      String candidate = found.substring(0, end);
      String scheme = candidate.substring(0, candidate.indexOf(':'));
      sb.append(text, last, m.start());
      sb.append(SCHEME.matcher(scheme).matches() ? uri(candidate) : REDACTED).append(found, end, found.length());
      last = m.end();
    }
    sb.append(text, last, text.length());
    return sb.toString();
  }

  /**
   * Makes a copy of the standard types' message-carrying state, for {@link #exception(Throwable,
   * Collection, Copier)}: lets an adapter keep its client's exception type (and its error code,
   * status, request id) while the messages are redacted.
   *
   * <pre>{@code
   * Redaction.Copier sdk = (original, redact, cause) -> original instanceof SdkException s
   *     ? s.toBuilder().message(redact.apply(s.getMessage())).cause(cause).build() : null;
   * }</pre>
   */
  @FunctionalInterface
  public interface Copier {
    /**
     * @param original an exception whose message or a cause's carries a secret
     * @param redact redacts a text with the rule and the known secrets
     * @param redactedCause its cause, already redacted (may be null)
     * @return a copy of the same type with redacted messages and {@code redactedCause} as cause, or
     *     null to let {@link RedactedException} stand in for it
     */
    Throwable copy(Throwable original, UnaryOperator<String> redact, Throwable redactedCause);
  }

  /**
   * @param failure what a client library threw (may be null)
   * @param secrets values the caller holds (see {@link #text(String, Collection)})
   * @return {@code failure} itself when no message in it, its causes or suppressed exceptions
   *     changes under the rule; otherwise a copy in which every exception whose message (or a
   *     cause's) changes is replaced by a {@link RedactedException} with the redacted message, the
   *     original class name and the original stack trace
   */
  public static Throwable exception(Throwable failure, Collection<String> secrets) {
    return exception(failure, secrets, null);
  }

  /**
   * {@link #exception(Throwable, Collection)}, letting {@code copier} make same-type copies where
   * it can.
   *
   * @param failure what a client library threw (may be null)
   * @param secrets values the caller holds
   * @param copier makes same-type copies (may be null, or return null for a type it does not know)
   * @return {@code failure} itself when nothing in it needs redacting, else a redacted copy
   */
  public static Throwable exception(Throwable failure, Collection<String> secrets, Copier copier) {
    if (failure == null) {
      return null;
    }
    UnaryOperator<String> redact = s -> text(s, secrets);
    return redactChain(failure, redact, copier, Collections.newSetFromMap(new IdentityHashMap<>()));
  }

  private static Throwable redactChain(Throwable t, UnaryOperator<String> redact, Copier copier, java.util.Set<Throwable> seen) {
    if (!seen.add(t)) {
      return t;
    }
    Throwable cause = t.getCause() == t ? null : t.getCause();
    Throwable redactedCause = cause == null ? null : redactChain(cause, redact, copier, seen);
    Throwable[] suppressed = t.getSuppressed();
    List<Throwable> redactedSuppressed = new ArrayList<>();
    boolean changed = redactedCause != cause;
    for (Throwable s : suppressed) {
      Throwable r = redactChain(s, redact, copier, seen);
      redactedSuppressed.add(r);
      changed |= r != s;
    }
    String message = t.getMessage();
    changed |= !Objects.equals(message, redact.apply(message)) || !Objects.equals(t.toString(), redact.apply(t.toString()));
    if (!changed) {
      return t;
    }
    Throwable copy = copier == null ? null : copier.copy(t, redact, redactedCause);
    if (copy == null) {
      copy = new RedactedException(t.getClass().getName(), redact.apply(message), redactedCause);
    }
    copy.setStackTrace(t.getStackTrace());
    for (Throwable s : redactedSuppressed) {
      copy.addSuppressed(s);
    }
    return copy;
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < MAX_URI; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > MAX_URI ? sb + "..." : sb.toString();
  }
}
