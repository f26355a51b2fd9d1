// Package api serves the DynamoDB JSON 1.0 protocol over HTTP, as the AWS
// SDKs speak it: POST requests with "X-Amz-Target: DynamoDB_20120810.<Op>"
// and a JSON body (Content-Type application/x-amz-json-1.0), responses with
// x-amz-crc32 (CRC32 of the body) and x-amzn-RequestId headers.
//
// Each operation decodes its request into a typed struct (a JSON type error
// is a SerializationException), validates it with DynamoDB's constraint
// messages ("1 validation error detected: Value null at 'tableName' failed to
// satisfy constraint: Member must not be null") and semantic checks, parses
// its expressions once (package expr), and only then touches the catalog or a
// partition replica. Nothing is written unless the whole request is valid.
//
// Errors are sent as DynamoDB sends them: HTTP 400 with
// {"__type":"<namespace>#<Type>","message":"..."}; namespaces follow
// DynamoDB (com.amazon.coral.validate for ValidationException,
// com.amazon.coral.service for protocol-level errors such as
// SerializationException and UnknownOperationException,
// com.amazonaws.dynamodb.v20120810 for the rest). HTTP 500 is reserved for
// real internal faults, including a recovered panic.
//
// Beyond single-item operations: TransactWriteItems and TransactGetItems
// (transact.go, over package txn), secondary indexes (indexes.go for
// definitions, index_read.go for Query/Scan with IndexName, gsi.go and
// gsi_read.go for global indexes read by merging every base partition's
// entries), the item collection metrics writes to tables with local
// indexes return when asked (collections.go) and Time to Live (ttl.go).
// Work done between requests —
// transaction recovery, the TTL sweeper, GSI backfill —
// runs in the Handler's background goroutines (background.go) until Close;
// tests turn it off and call RunBackgroundOnce with an injected clock.
//
// Requests may be SigV4-signed by any SDK; signatures are not verified yet.
package api
