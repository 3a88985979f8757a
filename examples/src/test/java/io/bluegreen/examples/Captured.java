package io.bluegreen.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What an example printed: a PrintStream to hand it, and the text afterwards (echoed to the test's output). */
public final class Captured {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  /** @return the stream to print to */
  public PrintStream out() {
    return out;
  }

  /** @return everything printed so far, also written to System.out */
  public String text() {
    String text = bytes.toString(StandardCharsets.UTF_8);
    System.out.println(text);
    return text;
  }
}
