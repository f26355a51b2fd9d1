// Package peer starts the two peer endpoints the conformance suite is
// compared with — dynalite (in memory) and AWS's DynamoDB Local (-inMemory)
// — from their installation under var/peers (scripts/peers.sh install), on
// a free loopback port, and stops them.
//
// Tests use it to judge real peers without anything started by hand:
//
//	p, err := peer.Start(ctx, peer.DynamoDBLocal, peer.Options{})
//	if errors.Is(err, peer.ErrNotInstalled) { t.Skip(...) }
//	defer p.Close()
//	... p.URL() ...
//
// Known trap: dynalite 4.0.0 dies when a client resets a connection in the
// middle of a request (a cancelled context does that). Callers drain their
// requests before cancelling and check Alive afterwards.
package peer
