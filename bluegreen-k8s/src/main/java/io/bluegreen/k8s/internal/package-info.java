/**
 * Implementation details of bluegreen-k8s: name validation, error translation, readiness counting and
 * the conflict-aware write. Not API: anything here may change without notice.
 */
package io.bluegreen.k8s.internal;
