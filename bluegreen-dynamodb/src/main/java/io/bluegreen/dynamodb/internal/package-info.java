/** The lock item's mapping and DynamoDB error handling. Not API: may change without notice. */
package io.bluegreen.dynamodb.internal;
