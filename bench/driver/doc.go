// Package driver is the benchmark's DynamoDB client: the handful of
// operations a workload issues (GetItem, PutItem, UpdateItem, Scan, Query,
// BatchWriteItem), behind one Client interface with two implementations.
//
// Lean is the hot-path client: request bodies appended into pooled buffers
// by hand, responses read into pooled buffers and parsed only as far as
// the benchmark needs (found or not, a version number, an item count,
// unprocessed items, or the error type). Every request is signed with
// aws-sdk-go-v2's own SigV4 signer, and lean_test.go checks that it sends
// what the SDK sends: same X-Amz-Target, content type, Accept-Encoding,
// session token, Host, JSON body semantics, and a signature that
// verifies.
//
// # The wire transport
//
// The load generator shares the machine with the endpoint it measures,
// so every microsecond of client CPU is taken from the system under test.
// net/http's client hands each request to two goroutines per connection
// (writeLoop and readLoop) and back, and allocates a Request, a Response
// and their Headers; at tens of thousands of requests per second that
// scheduling is a large part of the client's cost. So for http://
// endpoints (local engines, dynalite, the reference cluster) Lean speaks
// HTTP/1.1 itself (wire.go):
//
//   - a pool of plain TCP connections, kept alive, one request in flight
//     on each, and no goroutine of its own: the worker takes an idle
//     connection (or dials one), writes the request head and body with
//     one write, and reads the response from the connection's
//     bufio.Reader on its own goroutine;
//   - the request is signed by the SDK's signer on a reused *http.Request
//     (its Header map and URL kept in the pooled buffers), and every
//     header the signer saw goes on the wire, with Host, Content-Length
//     and a User-Agent;
//   - the response parser (wire_response.go) is HTTP/1.1 proper, not just
//     what one server sends: HTTP/1.0 and 1.1 status lines, 1xx interim
//     responses skipped, header names in any case, Content-Length,
//     chunked bodies with extensions and trailers, bodies delimited by
//     the close, limits on head and body size (ErrResponseTooLarge),
//     malformed input refused (ErrBadResponse);
//   - a connection goes back to the pool only after a clean exchange whose
//     response lets it stay open: not after Connection: close, an
//     HTTP/1.0 response without keep-alive, a body ended by the close, a
//     response with both Content-Length and chunked, unread extra bytes,
//     an error, or a cancelled context;
//   - the context is honoured: when it is cancelled or its deadline
//     passes, context.AfterFunc sets the connection's deadline in the
//     past, which wakes a blocked read or write (no deadline is set per
//     request otherwise); the call returns the context's error and the
//     connection is closed.
//
// Stale keep-alive connections. Servers close connections that stay idle:
// Node's http server (dynalite) after 5 s, Go's after its IdleTimeout.
// net/http notices with its per-connection readLoop, which sees the EOF
// and drops the connection before anyone reuses it; and when a request
// still races with the close, net/http retries it on another connection
// only if nothing of it was written, or if it is idempotent (a POST is
// not) and no byte of the response arrived. The wire transport has no
// reader watching idle connections, so it does two things instead. It
// closes, instead of using, a pooled connection idle longer than
// LeanOptions.IdleTimeout (2 s, below Node's 5 s). And when a request on
// a reused connection fails with EOF or a reset, on the write or before
// the first byte of a response, it sends the request once more on a new
// connection. That retry is safe enough here: a server that closes an
// idle connection closes it without reading what arrives after, so the
// request was not acted on; the rare case where a server read the request
// and then died without a byte of answer is one that aws-sdk-go-v2's
// standard retryer retries too (it treats a failed send, EOF or reset as
// a retryable connection error for every DynamoDB operation), and at worst it turns a benchmark's conditional
// update into a counted ConditionalCheckFailed, never into lost data. A
// request whose response had begun is never retried.
//
// https:// endpoints (AWS) keep net/http (TLS, HTTP/2 where offered), as
// does an endpoint the environment sends through a proxy
// (http.ProxyFromEnvironment), a caller's own LeanOptions.HTTPClient, and
// LeanOptions.NetHTTP (New's "lean-nethttp" client), kept so that the two
// transports can be compared; null_bench_test.go measures both on a null
// endpoint. Close closes the pooled connections.
//
// SDK is the plain aws-sdk-go-v2 client (ddbkit bench --client sdk), for a
// reference point and for endpoints where the lean client's shortcuts are
// unwelcome.
//
// Both report server errors as *Error with DynamoDB's error type, so the
// measurement can count errors and throttles by type, apart from latency;
// neither retries an operation (the wire transport's one resend above is
// of a request the server never read).
package driver
