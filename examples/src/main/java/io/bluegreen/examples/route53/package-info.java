/**
 * Route 53 example: {@link io.bluegreen.examples.route53.WeightedRecordExample} moves weighted records
 * from blue to green in stages, waiting for INSYNC after every write and baking the last stage at
 * least one TTL. It runs against {@link io.bluegreen.examples.route53.FakeRoute53} (in-process
 * WireMock, PENDING before INSYNC), moto server ({@link io.bluegreen.examples.route53.MotoRoute53}), or
 * real Route 53.
 *
 * <pre>{@code
 * SwitchResult r = WeightedRecordExample.runLocally(null, System.out);   // in-process fake, simulated time
 * r.clientsFollowBy();
 * }</pre>
 */
package io.bluegreen.examples.route53;
