package io.bluegreen.examples.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the demo's HTML report: per scenario, the summary table and an inline SVG chart of green's
 * planned weight (the proxy's weights over time) against the observed share of requests green
 * served, with markers for each stage, the moment green broke, the gate's UNHEALTHY and the verified
 * rollback, the preview (shaded while it is open) and the drain, a strip of failed requests and a strip
 * of each environment's requests in flight (the drain: blue's fall to zero before the plan reports it
 * drained). One self-contained file, no scripts, no external resources.
 */
final class HtmlReport {

  private static final int WIDTH = 960;
  private static final int LEFT = 55;
  private static final int RIGHT = WIDTH - 20;
  private static final int TOP = 44;
  private static final int BOTTOM = 254;
  private static final int FAIL_TOP = 266;
  private static final int FAIL_BOTTOM = 296;
  private static final int FLIGHT_TOP = 306;
  private static final int FLIGHT_BOTTOM = 356;
  private static final int HEIGHT = 390;

  private HtmlReport() {
  }

  static Path write(Path file, List<ScenarioResult> results, Duration wall) throws IOException {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>bluegreen embedded demo</title>\n")
        .append("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}pre{background:#f6f6f6;padding:1em;")
        .append("overflow-x:auto}.k{display:inline-block;width:1.6em;height:.3em;vertical-align:middle;margin:0 .3em 0 1em}")
        .append("svg text{font-family:system-ui,sans-serif}</style></head><body>\n")
        .append("<h1>bluegreen embedded demo</h1>\n<p>Blue (v1) and green (v2) behind a weighted proxy on 127.0.0.1, under load. ")
        .append("Wall time ").append(String.format(Locale.ROOT, "%.1f", wall.toMillis() / 1000.0)).append(" s.</p>\n")
        .append("<p><span class=\"k\" style=\"background:#2b6cb0\"></span>green's planned weight (on the proxy)")
        .append("<span class=\"k\" style=\"background:#2f9e44\"></span>observed share of requests served by green")
        .append("<span class=\"k\" style=\"background:#e03131\"></span>failed requests")
        .append("<span class=\"k\" style=\"background:#fff3bf\"></span>preview open (only requests with its header reach green)")
        .append("<span class=\"k\" style=\"background:#1864ab\"></span>blue / ")
        .append("<span class=\"k\" style=\"background:#37b24d;margin-left:0\"></span>green requests in flight</p>\n");
    for (ScenarioResult r : results) {
      h.append("<h2>Scenario ").append(r.scenario().number()).append(": ").append(esc(r.scenario().title())).append(" &mdash; ")
          .append(r.outcome()).append("</h2>\n");
      h.append(chart(r));
      h.append("<pre>").append(esc(r.table())).append("</pre>\n");
    }
    h.append("</body></html>\n");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, h, StandardCharsets.UTF_8);
    return file;
  }

  static String chart(ScenarioResult r) {
    Instant start = r.start();
    double seconds = Math.max(0.001, Duration.between(start, r.end()).toNanos() / 1e9);
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
        + "role=\"img\" aria-label=\"green weight and observed share over time\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
    s.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
    // axes and grid
    for (int p = 0; p <= 100; p += 25) {
      double y = y(p);
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
          + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%d%%</text>%n", LEFT, y, RIGHT, y, LEFT - 6, y + 4, p));
    }
    double step = seconds <= 12 ? 1 : seconds <= 30 ? 2 : seconds <= 90 ? 5 : 10;
    for (double t = 0; t <= seconds + 1e-9; t += step) {
      double x = x(t, seconds);
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\"/>"
          + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%.0fs</text>%n", x, FLIGHT_BOTTOM, x, FLIGHT_BOTTOM + 4, x,
          FLIGHT_BOTTOM + 17, t));
    }
    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#e03131\" text-anchor=\"end\">failed</text>%n",
        LEFT - 6, FAIL_BOTTOM - 10));
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", LEFT, FAIL_BOTTOM, RIGHT, FAIL_BOTTOM));

    s.append(previewShade(r, seconds));
    s.append(inFlightStrip(r, seconds));

    // observed share and failures per bucket
    double bucket = Math.max(0.1, seconds / 100);
    int buckets = (int) Math.ceil(seconds / bucket);
    long[] total = new long[buckets];
    long[] green = new long[buckets];
    long[] failed = new long[buckets];
    for (LoadGenerator.Sample sample : r.samples()) {
      int b = (int) Math.min(buckets - 1, Math.max(0, Duration.between(start, sample.sent()).toNanos() / 1e9 / bucket));
      total[b]++;
      green[b] += ScenarioResult.GREEN.equals(sample.backend()) ? 1 : 0;
      failed[b] += sample.failed() ? 1 : 0;
    }
    long maxFailed = 1;
    for (long f : failed) {
      maxFailed = Math.max(maxFailed, f);
    }
    StringBuilder observed = new StringBuilder();
    StringBuilder dots = new StringBuilder();
    for (int b = 0; b < buckets; b++) {
      double x = x((b + 0.5) * bucket, seconds);
      if (total[b] >= 5) {
        double y = y(100.0 * green[b] / total[b]);
        observed.append(observed.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
        dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\" fill=\"#2f9e44\"/>", x, y));
      }
      if (failed[b] > 0) {
        double h = Math.max(2, (FAIL_BOTTOM - FAIL_TOP) * (double) failed[b] / maxFailed);
        double w = Math.max(1.5, x(bucket, seconds) - LEFT - 1);
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#e03131\">"
            + "<title>%d failed</title></rect>%n", x - w / 2, FAIL_BOTTOM - h, w, h, failed[b]));
      }
    }
    if (r.failed() == 0) {
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#555\">no failed requests</text>%n",
          LEFT + 6, FAIL_BOTTOM - 10));
    }

    // planned weight: the proxy's weights over time, as a step line
    StringBuilder planned = new StringBuilder();
    List<WeightedProxy.WeightChange> history = r.weightHistory();
    for (int i = 0; i < history.size(); i++) {
      WeightedProxy.WeightChange c = history.get(i);
      double from = Math.max(0, Duration.between(start, c.at()).toNanos() / 1e9);
      double to = i + 1 < history.size() ? Duration.between(start, history.get(i + 1).at()).toNanos() / 1e9 : seconds;
      double y = y(greenPercent(c.weights()));
      planned.append(planned.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f L%.1f %.1f ",
          x(from, seconds), y, x(Math.max(from, to), seconds), y));
    }
    s.append("<path d=\"").append(planned).append("\" fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2.5\"/>\n");
    s.append("<path d=\"").append(observed).append("\" fill=\"none\" stroke=\"#2f9e44\" stroke-width=\"1.2\" opacity=\"0.8\"/>\n");
    s.append(dots).append('\n');

    // markers
    for (ScenarioResult.Marker m : r.markers()) {
      double x = x(Duration.between(start, m.at()).toNanos() / 1e9, seconds);
      String color;
      int row;
      boolean left;
      switch (m.kind()) {
        case STAGE -> { color = "#868e96"; row = 0; left = false; }
        case GREEN_BROKE -> { color = "#f08c00"; row = 1; left = true; }
        case UNHEALTHY -> { color = "#e03131"; row = 1; left = false; }
        case ROLLED_BACK -> { color = "#862e9c"; row = 2; left = false; }
        case PREVIEW_OPENED -> { color = "#e67700"; row = 0; left = true; }
        case PREVIEW_CLOSED -> { color = "#e67700"; row = 1; left = false; }
        case DRAINED -> { color = "#1864ab"; row = 2; left = false; }
        default -> { color = "#343a40"; row = 2; left = true; }
      }
      if (!left && x + 6.5 * m.label().length() > WIDTH) {
        left = true; // keep the label inside the picture
      }
      s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"%s\"/>"
          + "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"%s\" text-anchor=\"%s\">%s</text>%n",
          x, 15 + row * 12, x, FLIGHT_BOTTOM, color, m.kind() == ScenarioResult.Marker.Kind.STAGE ? "4 3" : "none",
          left ? x - 3 : x + 3, 12 + row * 12, color, left ? "end" : "start", esc(m.label())));
    }
    s.append("</svg>\n");
    return s.toString();
  }

  /** A light band over the chart while the proxy's preview rule was open. */
  private static String previewShade(ScenarioResult r, double seconds) {
    StringBuilder s = new StringBuilder();
    Instant openedAt = null;
    List<WeightedProxy.PreviewChange> changes = new java.util.ArrayList<>(r.extras().previewChanges());
    changes.add(new WeightedProxy.PreviewChange(r.end(), false));
    for (WeightedProxy.PreviewChange c : changes) {
      if (c.open() && openedAt == null) {
        openedAt = c.at();
      } else if (!c.open() && openedAt != null) {
        double x0 = x(Duration.between(r.start(), openedAt).toNanos() / 1e9, seconds);
        double x1 = x(Duration.between(r.start(), c.at()).toNanos() / 1e9, seconds);
        s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#fff3bf\">"
            + "<title>preview open</title></rect>%n", x0, TOP, Math.max(1, x1 - x0), FLIGHT_BOTTOM - TOP));
        openedAt = null;
      }
    }
    return s.toString();
  }

  /** Each environment's requests in flight, sampled: the drain is blue's line falling to zero. */
  private static String inFlightStrip(ScenarioResult r, double seconds) {
    List<InFlightSampler.Point> points = r.extras().inFlight();
    int max = 1;
    for (InFlightSampler.Point p : points) {
      max = Math.max(max, Math.max(p.blue(), p.green()));
    }
    StringBuilder blue = new StringBuilder();
    StringBuilder green = new StringBuilder();
    for (InFlightSampler.Point p : points) {
      double x = x(Duration.between(r.start(), p.at()).toNanos() / 1e9, seconds);
      blue.append(blue.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, flightY(p.blue(), max)));
      green.append(green.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, flightY(p.green(), max)));
    }
    return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">in flight</text>"
        + "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">%d</text>%n"
        + "<path d=\"%s\" fill=\"none\" stroke=\"#37b24d\" stroke-width=\"1.5\"/>%n"
        + "<path d=\"%s\" fill=\"none\" stroke=\"#1864ab\" stroke-width=\"1.5\"/>%n",
        LEFT, FLIGHT_BOTTOM, RIGHT, FLIGHT_BOTTOM, LEFT - 6, FLIGHT_BOTTOM - 2, LEFT - 6, FLIGHT_TOP + 8, max, green, blue);
  }

  private static double flightY(int n, int max) {
    return FLIGHT_BOTTOM - (FLIGHT_BOTTOM - FLIGHT_TOP) * (double) n / max;
  }

  private static int greenPercent(Map<String, Integer> weights) {
    int sum = weights.values().stream().mapToInt(Integer::intValue).sum();
    return sum == 0 ? 0 : Math.round(100f * weights.getOrDefault(ScenarioResult.GREEN, 0) / sum);
  }

  private static double x(double t, double seconds) {
    return LEFT + (RIGHT - LEFT) * Math.max(0, Math.min(1, t / seconds));
  }

  private static double y(double percent) {
    return BOTTOM - (BOTTOM - TOP) * percent / 100.0;
  }

  private static String esc(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
