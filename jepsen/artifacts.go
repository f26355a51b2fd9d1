package jepsen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

// Artifact file names under the output directory.
const (
	HistoryFile   = "history.jsonl"
	ResultsFile   = "results.json"
	SummaryFile   = "summary.txt"
	PorcupineFile = "porcupine.html"
	TimelineFile  = "timeline.png"
	// EDNFile is the list-append history in Elle's format.
	EDNFile = "history.edn"
)

// ArtifactOptions tune WriteArtifacts.
type ArtifactOptions struct {
	// HistoryWritten: history.jsonl was already streamed by the run.
	HistoryWritten bool
	// VisualizeMaxOps caps the operations in porcupine.html (default 20000).
	VisualizeMaxOps int
	// VisualizeTimeout bounds the verbose porcupine pass (default 1m).
	VisualizeTimeout time.Duration
}

// WriteArtifacts writes a run's artifacts into dir (created if needed):
// history.jsonl, results.json, summary.txt, timeline.png and, for the
// register workload, porcupine.html, for list-append history.edn. It returns the paths written.
func WriteArtifacts(dir string, res *Result, o ArtifactOptions) ([]string, error) {
	if o.VisualizeMaxOps <= 0 {
		o.VisualizeMaxOps = 20000
	}
	if o.VisualizeTimeout <= 0 {
		o.VisualizeTimeout = time.Minute
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("jepsen: artifacts: %w", err)
	}
	var paths []string
	write := func(name string, f func(*os.File) error) error {
		p := filepath.Join(dir, name)
		fh, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("jepsen: artifacts: %w", err)
		}
		if err := f(fh); err != nil {
			fh.Close()
			return fmt.Errorf("jepsen: artifacts: %s: %w", name, err)
		}
		if err := fh.Close(); err != nil {
			return fmt.Errorf("jepsen: artifacts: %w", err)
		}
		paths = append(paths, p)
		return nil
	}
	if o.HistoryWritten {
		paths = append(paths, filepath.Join(dir, HistoryFile))
	} else if err := write(HistoryFile, func(f *os.File) error { return history.WriteJSONL(f, res.History) }); err != nil {
		return paths, err
	}
	if err := write(ResultsFile, func(f *os.File) error {
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}); err != nil {
		return paths, err
	}
	if err := write(SummaryFile, func(f *os.File) error {
		_, err := f.WriteString(Summary(res))
		return err
	}); err != nil {
		return paths, err
	}
	if err := write(TimelineFile, func(f *os.File) error { return PlotTimeline(f, res) }); err != nil {
		return paths, err
	}
	if res.ListAppend != nil {
		if err := write(EDNFile, func(f *os.File) error { return history.WriteEDN(f, res.History.Ops) }); err != nil {
			return paths, err
		}
	}
	if res.Register != nil {
		if err := write(PorcupineFile, func(f *os.File) error {
			return Visualize(f, res, o.VisualizeMaxOps, o.VisualizeTimeout)
		}); err != nil {
			return paths, err
		}
	}
	return paths, nil
}
