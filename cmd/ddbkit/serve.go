package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ddbkit/ddbkit/reference/auth"
	"github.com/ddbkit/ddbkit/reference/server"
)

func newServeCmd() *cobra.Command {
	var o server.Options
	var fsync *bool
	var peers, zone, authFile string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the reference engine over the DynamoDB JSON protocol",
		Long: `Serve the reference engine over the DynamoDB JSON protocol.

Without --data the engine keeps everything in memory; with --data DIR it logs
every table change and write to DIR (fsynced before the write is acknowledged)
and recovers it on the next start. It binds loopback by default and prints the
endpoint URL; SIGINT or SIGTERM shut it down cleanly.

With --nodes N (N >= 3) it runs the replicated engine: N storage nodes in
zones az1..az3 in this process, every partition a raft group of three
replicas, one per zone; --addr is a front URL handing each request to a live
node (each node also listens on a port of its own, see GET /admin/status).
With --data DIR each node keeps its write-ahead log and snapshots in DIR/nI.
N may be more than 3: nodes go to az1, az2, az3 round-robin, and the
zone-aware ring places each partition's three replicas on one node of each
zone (GET /admin/status lists members, voters by zone and moves in progress).

Partitions split in two (each half again replicated in three zones) when
their data outgrows --split-bytes BYTES, or when their leader serves more
than --split-load OPS requests per second (reads and writes) in every tenth
of --split-load-window (default 10s). Both are off by default (0); DynamoDB
splits at 10 GB or for sustained throughput.

With --node-id I and --peers it runs ONE node of a multi-process cluster
(scripts/cluster.sh): --peers lists every node as ID/ZONE/APIADDR/RAFTADDR,
comma-separated; the node serves the API on its APIADDR (or --addr) and talks
raft over TCP on RAFTADDR. A node is added to a running multi-process
cluster with --join: its --peers lists the founding nodes and itself; it
records its membership in the cluster's catalog, the other nodes learn its
addresses from there, and the replicas the zone-aware ring now places on
it move to it by raft membership change (GET /admin/status shows the
moves). Later starts of that node keep --join and the same --peers.

With --auth FILE every request must carry a valid AWS Signature Version 4
made with one of the access keys FILE lists ("ACCESS_KEY_ID SECRET" per
line); anything else gets DynamoDB's MissingAuthenticationTokenException,
InvalidSignatureException, UnrecognizedClientException or
IncompleteSignatureException. Without it any credentials are accepted, as
DynamoDB Local does.

The --unsafe-* flags break the engine on purpose, for jepsen's negative
controls only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o.NoFsync = !*fsync
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
			if peers != "" {
				var err error
				if o.Peers, err = server.ParsePeers(peers); err != nil {
					return err
				}
				for _, p := range o.Peers {
					if p.ID == o.NodeID && zone != "" && p.Zone != zone {
						return fmt.Errorf("serve: --zone %s but --peers puts node %d in %s", zone, p.ID, p.Zone)
					}
				}
				if !cmd.Flags().Changed("addr") {
					o.Addr = ""
				}
			}
			if o.Unsafe.Any() {
				o.Logger.Warn("UNSAFE ENGINE MODES ON: this engine is deliberately wrong (jepsen negative controls only)",
					"stale_consistent_reads", o.Unsafe.StaleConsistentReads, "ack_before_quorum", o.Unsafe.AckBeforeQuorum,
					"skip_conditions", o.Unsafe.SkipConditions, "no_retry_dedup", o.Unsafe.NoRetryDedup,
					"lease_reads", o.Unsafe.LeaseReads)
			}
			if authFile != "" {
				creds, err := auth.LoadCredentials(authFile)
				if err != nil {
					return fmt.Errorf("serve: --auth: %w", err)
				}
				o.Auth = auth.New(auth.Options{Credentials: creds})
			}
			holdPsForFsync(&o)
			srv, err := server.Start(ctx, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), srv.URL())
			if c := srv.Cluster(); c != nil {
				for _, id := range c.NodeIDs() {
					o.Logger.Info("cluster node", "node", id, "zone", c.Zone(id), "url", c.NodeURL(id),
						"admin", c.NodeURL(id)+"/admin/status")
				}
			}
			<-ctx.Done()
			o.Logger.Info("shutting down")
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8000", "listen address (loopback by default)")
	f.StringVar(&o.DataDir, "data", "", "data directory (empty: in memory)")
	f.StringVar(&authFile, "auth", "", "check SigV4 signatures against the access keys in FILE (\"ACCESS_KEY_ID SECRET\" per line; default: accept any credentials)")
	fsync = f.Bool("fsync", true, "fsync the log before acknowledging writes (--fsync=false only for benchmarks that say so)")
	f.IntVar(&o.Partitions, "partitions", 4, "partitions per new table")
	f.IntVar(&o.Nodes, "nodes", 1, "storage nodes (>= 3: replicated in-process cluster in zones az1..az3)")
	f.Uint64Var(&o.Seed, "seed", 1, "seed of the cluster's random choices")
	f.Int64Var(&o.SplitBytes, "split-bytes", 0, "split a replicated partition whose data outgrows this many bytes (0: never)")
	f.Float64Var(&o.SplitLoad, "split-load", 0, "split a replicated partition that serves more than this many requests/s throughout --split-load-window (0: never)")
	f.DurationVar(&o.SplitLoadWindow, "split-load-window", 10*time.Second, "how long --split-load must be exceeded before a partition splits")
	f.Uint64Var(&o.NodeID, "node-id", 0, "run this one node of a multi-process cluster (with --peers)")
	f.StringVar(&zone, "zone", "", "zone of --node-id (checked against --peers)")
	f.StringVar(&peers, "peers", "", "every node of a multi-process cluster: ID/ZONE/APIADDR/RAFTADDR,...")
	f.BoolVar(&o.Join, "join", false, "with --node-id: join a running multi-process cluster (--peers: its founders and this node)")
	f.BoolVar(&o.Unsafe.StaleConsistentReads, "unsafe-stale-consistent-reads", false, "UNSAFE: serve ConsistentRead from any replica without ReadIndex")
	f.BoolVar(&o.Unsafe.AckBeforeQuorum, "unsafe-ack-before-quorum", false, "UNSAFE: acknowledge writes before a quorum has them")
	f.BoolVar(&o.Unsafe.SkipConditions, "unsafe-skip-conditions", false, "UNSAFE: ignore conditions when writes apply")
	f.BoolVar(&o.Unsafe.NoRetryDedup, "unsafe-no-retry-dedup", false, "UNSAFE: a fresh request id on every retry (a retried write may apply twice)")
	f.BoolVar(&o.Unsafe.LeaseReads, "unsafe-lease-reads", false, "UNSAFE: answer ConsistentRead from the leader's lease, without a quorum round trip (stale when the leader's clock runs slow)")
	return cmd
}
