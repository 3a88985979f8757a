/**
 * Implementation details of the ALB routers: ARN parsing, AWS error classification and the action
 * list rebuilding. Not part of the public API; may change in any release.
 *
 * <pre>{@code
 * // not for use outside bluegreen-aws
 * }</pre>
 */
package io.bluegreen.aws.internal;
