/**
 * ALB example: {@link io.bluegreen.examples.alb.AlbListenerExample} shifts a listener's forward action
 * from target group blue to green (blue keeps 90, 70, 50, 25, 0 percent) with a target-health gate.
 * It runs against {@link io.bluegreen.examples.alb.FakeAlb} (in-process WireMock), moto server ({@link
 * io.bluegreen.examples.alb.MotoAlb}), or real AWS.
 *
 * <pre>{@code
 * SwitchResult r = AlbListenerExample.runLocally(System.getenv("BLUEGREEN_MOTO_ENDPOINT"), System.out);
 * }</pre>
 */
package io.bluegreen.examples.alb;
