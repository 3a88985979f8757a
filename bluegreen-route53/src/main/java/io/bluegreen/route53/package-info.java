/**
 * Blue-green switching with Route 53 weighted records: {@link io.bluegreen.route53.WeightedRecordRouter},
 * a {@link io.bluegreen.core.Router} that a {@link io.bluegreen.core.SwitchPlan} drives, moves one
 * record group (or a fleet of them in one zone) between {@link io.bluegreen.core.Environment}s, one
 * ChangeResourceRecordSets request per stage, waiting for INSYNC and baking the final stage for at
 * least the records' TTL.
 *
 * <pre>{@code
 * WeightedRecordRouter router = WeightedRecordRouter.builder(Route53Client.create())
 *     .hostedZoneId("Z0123456789ABCDEFGHIJ")
 *     .record("api.example.com", "A", blue, "api-blue", green, "api-green")   // in display order
 *     .build();
 * }</pre>
 */
package io.bluegreen.route53;
