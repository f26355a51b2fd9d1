// Package server assembles a reference engine and serves it over HTTP: a
// catalog of tables whose partitions are single Local replicas (in memory,
// or durable through a group-committed command log in a data directory),
// behind the DynamoDB API handler, on a loopback listener by default.
//
//	srv, err := server.Start(ctx, server.Options{Addr: "127.0.0.1:0"})
//	...
//	client := ... srv.URL() ...
//	defer srv.Close()
package server
