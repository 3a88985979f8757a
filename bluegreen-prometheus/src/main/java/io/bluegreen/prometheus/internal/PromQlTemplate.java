package io.bluegreen.prometheus.internal;

import io.bluegreen.core.InvalidConfigurationException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PromQL text with {@code {{name}}} placeholders, checked against the names that will be known
 * when it is rendered. Not API.
 */
public final class PromQlTemplate {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");

  private final String text;
  private final Set<String> placeholders;

  private PromQlTemplate(String text, Set<String> placeholders) {
    this.text = text;
    this.placeholders = placeholders;
  }

  /**
   * @param what "query" or "samplesQuery", for messages
   * @param text the PromQL
   * @param known names that will have a value
   * @return the template
   * @throws InvalidConfigurationException for an unknown or malformed placeholder
   */
  public static PromQlTemplate parse(String what, String text, Set<String> known) {
    Set<String> found = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    List<String> unknown = new ArrayList<>();
    while (m.find()) {
      String name = m.group(1);
      found.add(name);
      if (!known.contains(name)) {
        unknown.add("{{" + name + "}}");
      }
    }
    if (!unknown.isEmpty()) {
      throw new InvalidConfigurationException("the " + what + " uses " + String.join(", ", unknown) + ", which "
          + (unknown.size() == 1 ? "is not a known placeholder" : "are not known placeholders") + ": use "
          + known.stream().sorted().map(k -> "{{" + k + "}}").reduce((a, b) -> a + ", " + b).orElse("none")
          + ", or declare a value with .arg(\"name\", \"value\")");
    }
    String rest = m.replaceAll("");
    if (rest.contains("{{") || rest.contains("}}")) {
      throw new InvalidConfigurationException("the " + what + " has an unclosed or malformed placeholder (\"{{\" or \"}}\" without its"
          + " pair): write placeholders as {{env}}");
    }
    return new PromQlTemplate(text, Set.copyOf(found));
  }

  /** @return the names used */
  public Set<String> placeholders() {
    return placeholders;
  }

  /** @return the template as written */
  public String text() {
    return text;
  }

  /**
   * @param values a value for every placeholder
   * @return the PromQL to send
   */
  public String render(Map<String, String> values) {
    return PLACEHOLDER.matcher(text).replaceAll(r -> Matcher.quoteReplacement(values.get(r.group(1))));
  }

  @Override
  public String toString() {
    return text;
  }
}
