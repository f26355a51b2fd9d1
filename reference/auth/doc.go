// Package auth verifies AWS Signature Version 4 on requests to the reference
// engine, as DynamoDB does.
//
// A client signs a request with its secret key: it builds a canonical form of
// the request (method, path, query, the headers it chose to sign, the SHA-256
// of the body), hashes it into a "string to sign" together with the time and
// a credential scope (date/region/service/aws4_request), and computes an
// HMAC-SHA256 chain from the secret through the scope. The Authorization
// header carries the access key id, the scope, the names of the signed
// headers and the signature. The server, knowing the secret of that access
// key, computes the same signature and compares.
//
// Verifier.Verify returns DynamoDB's errors, in DynamoDB's order:
//
//   - no Authorization header: MissingAuthenticationTokenException;
//   - a header without Credential, SignedHeaders or Signature, or no
//     X-Amz-Date: IncompleteSignatureException;
//   - a request time more than 5 minutes from the server's clock:
//     InvalidSignatureException "Signature expired" / "Signature not yet
//     current" (checked before the key is looked up, as DynamoDB does);
//   - an access key the server does not know: UnrecognizedClientException;
//   - any other mismatch (wrong secret, a changed body or signed header, a
//     scope for another day): InvalidSignatureException.
//
// The canonical request is built here rather than by re-signing with
// aws-sdk-go-v2's signer, because the signer chooses which headers to sign
// (it skips User-Agent, for one) while the server must use exactly the list
// the client signed, whatever SDK the client used. The tests sign with the
// SDK's signer and verify here.
//
// The clock is injected (Options.Now), so the time checks are exact in
// tests.
package auth
