// Package faultproxy is a deliberately broken DynamoDB endpoint: an HTTP
// proxy in front of a good one that injects one kind of non-conformance.
// The conformance suite's negative controls run the suite through it and
// assert that the specs guarding that behaviour fail — a suite that cannot
// tell a broken endpoint from a good one proves nothing.
//
// Faults (Fault constants) cover conditions, error types, ordering,
// pagination, number precision, validation and item collection metrics:
//
//	ConditionIgnored         a ConditionalCheckFailedException becomes a success
//	ErrorTypeRewritten       ResourceNotFoundException is reported as ValidationException
//	QueryReordered           Query results come back in reverse order
//	PaginationBroken         LastEvaluatedKey is dropped from Query and Scan
//	NumbersAsFloat64         every number in a response is rounded through float64
//	ValidationSkipped        every ValidationException becomes a success
//	CollectionMetricsDropped writes never return ItemCollectionMetrics
//	AuthIgnored              refused signatures are answered {} (accepted)
//
// The proxy recomputes the x-amz-crc32 header of bodies it rewrites, so
// the SDK's checksum validation accepts them.
package faultproxy
