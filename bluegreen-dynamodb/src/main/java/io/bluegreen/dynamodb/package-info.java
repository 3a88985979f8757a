/**
 * A route lock held in DynamoDB: {@link io.bluegreen.dynamodb.DynamoDbRouteLock}, for plans that switch
 * routes outside Kubernetes (ALB listeners, Route 53 records) from several machines.
 */
package io.bluegreen.dynamodb;
