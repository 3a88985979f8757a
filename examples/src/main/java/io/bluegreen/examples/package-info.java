/**
 * Runnable examples of bluegreen: the embedded end-to-end demo ({@code demo}), one example per
 * adapter ({@code k8s}, {@code alb}, {@code route53}), each runnable against an in-process fake with
 * nothing installed, and a custom router written from scratch ({@code custom}).
 * {@link io.bluegreen.examples.EventPrinter} prints a plan's progress for the per-adapter examples.
 *
 * <pre>{@code
 * mvn -B -q -Pdemo verify                                                 # the embedded demo
 * java -cp ... io.bluegreen.examples.k8s.ServiceSelectorExample           # against an in-process Kubernetes API
 * java -cp ... io.bluegreen.examples.alb.AlbListenerExample               # against an in-process ELBv2 fake (or moto)
 * java -cp ... io.bluegreen.examples.route53.WeightedRecordExample        # against an in-process Route 53 fake (or moto)
 * }</pre>
 */
package io.bluegreen.examples;
