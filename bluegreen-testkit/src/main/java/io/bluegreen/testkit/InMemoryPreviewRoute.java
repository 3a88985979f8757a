package io.bluegreen.testkit;

import io.bluegreen.core.Environment;
import io.bluegreen.core.PreflightException;
import io.bluegreen.core.preview.PreviewEndpoint;
import io.bluegreen.core.preview.PreviewRequest;
import io.bluegreen.core.preview.PreviewRoute;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A {@link PreviewRoute} held in memory, for testing plans with a preview and your own gates: it
 * records every open and close, remembers who opened the preview (so that a test can leave one behind
 * as a crashed run would), and can be told to fail its preflight, to fail an open after the write
 * landed, to fail closes, or to be served only after some polls.
 *
 * <pre>{@code
 * InMemoryPreviewRoute preview = InMemoryPreviewRoute.create();
 * SwitchResult r = SwitchPlan.builder()...preview(preview).previewGate(gate).build().execute();
 * assertThat(preview.isOpen()).isFalse();            // closed whatever the outcome
 * assertThat(preview.opens()).isEqualTo(1);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class InMemoryPreviewRoute implements PreviewRoute {

  private final String header;
  private final String value;
  private final URI url;
  private String openedBy;
  private Environment openFor;
  private String preflightFailure;
  private int failOpensAfterLanding;
  private Supplier<? extends RuntimeException> openFailure;
  private int failCloses;
  private Supplier<? extends RuntimeException> closeFailure;
  private int pendingPolls;
  private int pendingLeft;
  private int opens;
  private int closes;
  private int writes;
  private final List<String> removed = new ArrayList<>();

  private InMemoryPreviewRoute(String header, String value, URI url) {
    this.header = header;
    this.value = value;
    this.url = url;
  }

  /** @return a preview selected by header {@code X-Preview: green-token} at {@code http://preview.invalid/} */
  public static InMemoryPreviewRoute create() {
    return new InMemoryPreviewRoute("X-Preview", "green-token", URI.create("http://preview.invalid/"));
  }

  /**
   * @param header the header name
   * @param value its value
   * @param url the preview URL
   * @return a preview with that header and URL
   */
  public static InMemoryPreviewRoute create(String header, String value, URI url) {
    return new InMemoryPreviewRoute(header, value, url);
  }

  @Override
  public String describe() {
    return "in-memory preview (header " + header + ")";
  }

  @Override
  public synchronized PreviewEndpoint preflight(PreviewRequest request) {
    if (preflightFailure != null) {
      throw new PreflightException(preflightFailure);
    }
    return endpoint(request.environment());
  }

  @Override
  public synchronized PreviewEndpoint open(PreviewRequest request) {
    opens++;
    if (openedBy == null || !openedBy.equals(request.owner())) {
      writes++;
      openedBy = request.owner();
      openFor = request.environment();
      pendingLeft = pendingPolls;
    }
    if (failOpensAfterLanding > 0) {
      failOpensAfterLanding--;
      throw openFailure.get();
    }
    return endpoint(request.environment());
  }

  @Override
  public synchronized Optional<String> pending(PreviewRequest request) {
    if (pendingLeft > 0) {
      pendingLeft--;
      return Optional.of("not served yet (" + (pendingLeft + 1) + " more polls)");
    }
    return Optional.empty();
  }

  @Override
  public synchronized Optional<String> close(PreviewRequest request) {
    closes++;
    if (failCloses > 0) {
      failCloses--;
      throw closeFailure.get();
    }
    if (openedBy == null) {
      return Optional.empty();
    }
    writes++;
    String what = "preview of " + openFor.name() + " opened by " + openedBy;
    removed.add(what);
    openedBy = null;
    openFor = null;
    return Optional.of(what);
  }

  private PreviewEndpoint endpoint(Environment environment) {
    return PreviewEndpoint.builder(environment, "in-memory preview: header " + header + " -> " + environment.name()).url(url)
        .header(header, value).build();
  }

  /**
   * Leaves a preview open as a crashed run would have.
   *
   * @param owner who opened it
   * @param environment the environment it previews
   * @return this
   */
  public synchronized InMemoryPreviewRoute leftOpenBy(String owner, Environment environment) {
    openedBy = owner;
    openFor = environment;
    return this;
  }

  /** @param message the preflight fails with this @return this */
  public synchronized InMemoryPreviewRoute failPreflight(String message) {
    preflightFailure = message;
    return this;
  }

  /** @param times the next opens write the preview, then throw @param failure what they throw @return this */
  public synchronized InMemoryPreviewRoute failOpensAfterLanding(int times, Supplier<? extends RuntimeException> failure) {
    failOpensAfterLanding = times;
    openFailure = failure;
    return this;
  }

  /** @param times the next closes throw @param failure what they throw @return this */
  public synchronized InMemoryPreviewRoute failCloses(int times, Supplier<? extends RuntimeException> failure) {
    failCloses = times;
    closeFailure = failure;
    return this;
  }

  /** @param polls each open is served only after this many {@link #pending} polls @return this */
  public synchronized InMemoryPreviewRoute servedAfter(int polls) {
    pendingPolls = polls;
    return this;
  }

  /** @return whether a preview is open */
  public synchronized boolean isOpen() {
    return openedBy != null;
  }

  /** @return who opened the open preview, if one is */
  public synchronized Optional<String> openedBy() {
    return Optional.ofNullable(openedBy);
  }

  /** @return open calls so far */
  public synchronized int opens() {
    return opens;
  }

  /** @return close calls so far */
  public synchronized int closes() {
    return closes;
  }

  /** @return writes so far (an open that created the preview, a close that removed one) */
  public synchronized int writes() {
    return writes;
  }

  /** @return what each close removed, in order */
  public synchronized List<String> removed() {
    return List.copyOf(removed);
  }

  @Override
  public String toString() {
    return describe();
  }
}
