package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ddbkit/ddbkit/bench/report"
	"github.com/ddbkit/ddbkit/bench/results"
)

func newReportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Render or merge benchmark reports",
	}
	var out string
	merge := &cobra.Command{
		Use:   "merge DIR... --out DIR",
		Short: "Add up runs made at the same time on several machines and render one report",
		Long: `Reads DIR/results.json of each run, adds their histograms (percentiles are
recomputed from the sums, never averaged), adds counts and throughputs, aligns
the timelines by second, and writes results.json, report.md and report.html.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, dirs []string) error {
			if out == "" {
				return fmt.Errorf("report merge: --out is required")
			}
			var runs []*results.Run
			for _, d := range dirs {
				r, err := results.Read(filepath.Join(d, "results.json"))
				if err != nil {
					return err
				}
				runs = append(runs, r)
			}
			m, err := results.Merge(runs)
			if err != nil {
				return err
			}
			if err := report.WriteAll(out, m); err != nil {
				return err
			}
			report.Console(cmd.OutOrStdout(), m)
			return nil
		},
	}
	merge.Flags().StringVar(&out, "out", "", "output directory")
	render := &cobra.Command{
		Use:   "render DIR",
		Short: "Re-render report.md, report.html and the plots from DIR/results.json",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := results.Read(filepath.Join(args[0], "results.json"))
			if err != nil {
				return err
			}
			return report.WriteAll(args[0], r)
		},
	}
	cmd.AddCommand(merge, render)
	return cmd
}
