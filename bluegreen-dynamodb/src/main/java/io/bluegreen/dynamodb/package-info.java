/**
 * A {@link io.bluegreen.core.lock.RouteLock} held in DynamoDB: {@link io.bluegreen.dynamodb.DynamoDbRouteLock}, for
 * {@link io.bluegreen.core.SwitchPlan}s that switch
 * routes outside Kubernetes (ALB listeners, Route 53 records) from several machines.
 */
package io.bluegreen.dynamodb;
