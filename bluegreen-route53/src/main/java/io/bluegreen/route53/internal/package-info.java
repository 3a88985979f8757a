/**
 * Implementation details of the Route 53 adapter: name and id validation, weight arithmetic,
 * record reading with pagination, change-batch packing and error classification. Not part of the
 * public API; may change in any release.
 *
 * <pre>{@code
 * // not for direct use; see io.bluegreen.route53.WeightedRecordRouter
 * }</pre>
 */
package io.bluegreen.route53.internal;
