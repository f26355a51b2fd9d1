package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"

	"github.com/ddbkit/ddbkit/bench/results"
)

// HTML writes a self-contained report.html: the Markdown report's tables
// rendered as HTML and every plot inlined as SVG.
func HTML(w io.Writer, r *results.Run, plots []Plot) error {
	var md bytes.Buffer
	if err := Markdown(&md, r, nil); err != nil {
		return err
	}
	type fig struct {
		Title string
		SVG   template.HTML
	}
	data := struct {
		Title string
		Body  template.HTML
		Figs  []fig
	}{Title: "ddbkit bench: " + r.Workload.Name, Body: template.HTML(markdownToHTML(md.String()))}
	for _, p := range plots {
		data.Figs = append(data.Figs, fig{p.Title, template.HTML(stripXMLHeader(p.SVG))})
	}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("report: write html: %w", err)
	}
	return nil
}

// stripXMLHeader drops the <?xml ...?> prolog so the SVG can be inlined.
func stripXMLHeader(svg []byte) []byte {
	if i := bytes.Index(svg, []byte("<svg")); i > 0 {
		return svg[i:]
	}
	return svg
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:90%}
th,td{border:1px solid #ccc;padding:3px 8px}td{text-align:right}td:first-child,td:nth-child(2){text-align:left}
pre{background:#f6f6f6;padding:1em;overflow:auto}figure{margin:1em 0}figcaption{font-weight:bold}
svg{max-width:100%;height:auto}
</style></head><body>
{{.Body}}
<h2>Plots</h2>
{{range .Figs}}<figure><figcaption>{{.Title}}</figcaption>{{.SVG}}</figure>
{{end}}
</body></html>
`))
