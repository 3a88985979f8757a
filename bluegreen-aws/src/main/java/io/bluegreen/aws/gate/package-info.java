/**
 * {@link io.bluegreen.core.HealthGate}s backed by AWS: {@link io.bluegreen.aws.gate.TargetHealthGate} (ALB target health) and
 * {@link io.bluegreen.aws.gate.CloudWatchAlarmGate} (CloudWatch alarms, like CodeDeploy's rollback
 * triggers) and {@link io.bluegreen.aws.gate.CloudWatchMetricGate} (a metric-math expression over
 * {@code GetMetricData}, judged with the Argo-style limits of {@link io.bluegreen.core.analysis.MetricGate}).
 *
 * <pre>{@code
 * SwitchPlan.builder()...
 *     .gate(TargetHealthGate.builder(elb, greenTargetGroupArn).minHealthyPercent(100).build())
 *     .gate(CloudWatchAlarmGate.builder(cloudWatch).alarms("shop-5xx", "shop-latency-p99").build());
 * }</pre>
 */
package io.bluegreen.aws.gate;
