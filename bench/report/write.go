package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ddbkit/ddbkit/bench/results"
)

// WriteAll writes results.json, the plots as SVG files, report.md (which
// links them) and the self-contained report.html into dir.
func WriteAll(dir string, r *results.Run) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := results.Write(filepath.Join(dir, "results.json"), r); err != nil {
		return err
	}
	plots, err := Plots(r)
	if err != nil {
		return err
	}
	var names []string
	for _, p := range plots {
		if err := os.WriteFile(filepath.Join(dir, p.Name), p.SVG, 0o644); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		names = append(names, p.Name)
	}
	var md, h bytes.Buffer
	if err := Markdown(&md, r, names); err != nil {
		return err
	}
	if err := HTML(&h, r, plots); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "report.md"), md.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.html"), h.Bytes(), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
