// Package driver is the benchmark's DynamoDB client: the handful of
// operations a workload issues (GetItem, PutItem, UpdateItem, Scan, Query,
// BatchWriteItem), behind one Client interface with two implementations.
//
// Lean is the hot-path client: net/http with a keep-alive pool sized for
// the run, request bodies appended into pooled buffers by hand, responses
// read into pooled buffers and parsed only as far as the benchmark needs
// (found or not, a version number, an item count, unprocessed items, or the
// error type). Every request is signed with aws-sdk-go-v2's own SigV4
// signer, and lean_test.go checks that it sends what the SDK sends: same
// X-Amz-Target, content type, JSON body semantics, and a signature that
// verifies.
//
// SDK is the plain aws-sdk-go-v2 client (ddbkit bench --client sdk), for a
// reference point and for endpoints where the lean client's shortcuts are
// unwelcome.
//
// Both report server errors as *Error with DynamoDB's error type, so the
// measurement can count errors and throttles by type, apart from latency;
// neither retries.
package driver
