/**
 * Testing the new environment through the production front door before the switch. {@link
 * io.bluegreen.core.preview.PreviewRoute} is the SPI a backend implements (an HTTPRoute rule matching a
 * header, an Ingress host, a preview Service, an ALB listener rule, a Route 53 record);
 * {@link io.bluegreen.core.preview.PreviewEndpoint} says how to reach the preview;
 * {@link io.bluegreen.core.preview.PreviewHttpGate} checks it over HTTP with the preview's header.
 *
 * <pre>{@code
 * SwitchPlan.builder().router(router).from(blue).to(green)
 *     .preview(previewRoute)                                  // opened after preflight, closed when the plan ends
 *     .previewGate(PreviewHttpGate.path("/health"))           // must be HEALTHY before the first write
 *     .build().execute();
 * }</pre>
 */
package io.bluegreen.core.preview;
