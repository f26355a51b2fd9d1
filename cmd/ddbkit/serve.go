package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/ddbkit/ddbkit/reference/server"
)

func newServeCmd() *cobra.Command {
	var o server.Options
	var fsync *bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the reference engine over the DynamoDB JSON protocol",
		Long: `Serve the reference engine over the DynamoDB JSON protocol.

Without --data the engine keeps everything in memory; with --data DIR it logs
every table change and write to DIR (fsynced before the write is acknowledged)
and recovers it on the next start. It binds loopback by default and prints the
endpoint URL; SIGINT or SIGTERM shut it down cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			o.NoFsync = !*fsync
			o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
			srv, err := server.Start(ctx, o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), srv.URL())
			<-ctx.Done()
			o.Logger.Info("shutting down")
			return srv.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8000", "listen address (loopback by default)")
	f.StringVar(&o.DataDir, "data", "", "data directory (empty: in memory)")
	fsync = f.Bool("fsync", true, "fsync the log before acknowledging writes (--fsync=false only for benchmarks that say so)")
	f.IntVar(&o.Partitions, "partitions", 4, "partitions per new table")
	return cmd
}
