/**
 * Implementation details of the engine. Not API: anything here may change without notice.
 */
package io.bluegreen.core.internal;
