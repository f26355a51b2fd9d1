package report

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/ddbkit/ddbkit/bench/results"
)

// Plot is one rendered figure.
type Plot struct {
	Name  string // file name, e.g. spectrum-READ.svg
	Title string
	SVG   []byte
}

// Plots renders the run phase's figures, every target overlaid: one
// percentile spectrum per operation type, throughput over time and p99
// over time.
func Plots(r *results.Run) ([]Plot, error) {
	var out []Plot
	var ops []string
	seen := map[string]bool{}
	for _, t := range r.Targets {
		for _, o := range t.Run.Ops {
			if !seen[o.Name] {
				seen[o.Name] = true
				ops = append(ops, o.Name)
			}
		}
	}
	for _, op := range ops {
		p, err := spectrum(r, op)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	for _, f := range []func(*results.Run) (Plot, error){throughputPlot, p99Plot} {
		p, err := f(r)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// spectrumTicks label the x axis 1/(1-q) with percentiles.
var spectrumTicks = plot.ConstantTicks{
	{Value: 1, Label: "0%"}, {Value: 2, Label: "50%"}, {Value: 10, Label: "90%"}, {Value: 100, Label: "99%"},
	{Value: 1000, Label: "99.9%"}, {Value: 10000, Label: "99.99%"}, {Value: 100000, Label: "99.999%"},
}

func spectrum(r *results.Run, op string) (Plot, error) {
	p := plot.New()
	p.Title.Text = "Latency by percentile: " + op
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency (ms)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = spectrumTicks, plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	lines := 0
	for i, t := range r.Targets {
		for _, o := range t.Run.Ops {
			if o.Name != op || o.OK == 0 {
				continue
			}
			h, err := results.Decode(o.LatencyHist)
			if err != nil {
				return Plot{}, err
			}
			var xys plotter.XYs
			maxX := math.Min(1e5, float64(h.TotalCount()))
			for k := 0; ; k++ {
				x := math.Pow(10, float64(k)/20) // 20 points a decade
				if x > maxX {
					break
				}
				q := 100 * (1 - 1/x)
				xys = append(xys, plotter.XY{X: x, Y: math.Max(float64(h.ValueAtQuantile(q)), 1) / 1000})
			}
			xys = append(xys, plotter.XY{X: maxX, Y: math.Max(float64(h.Max()), 1) / 1000})
			if err := addLine(p, &lines, t.Name, i, xys); err != nil {
				return Plot{}, err
			}
		}
	}
	return render(p, lines, "spectrum-"+op+".svg", p.Title.Text)
}

func throughputPlot(r *results.Run) (Plot, error) {
	p := plot.New()
	p.Title.Text = "Throughput over time (run phase)"
	p.X.Label.Text = "seconds"
	p.Y.Label.Text = "operations per second"
	p.Add(plotter.NewGrid())
	lines := 0
	for i, t := range r.Targets {
		var xys plotter.XYs
		for _, tk := range t.Run.Timeline {
			xys = append(xys, plotter.XY{X: float64(tk.Second + 1), Y: float64(tk.Ops)})
		}
		if err := addLine(p, &lines, t.Name, i, xys); err != nil {
			return Plot{}, err
		}
	}
	return render(p, lines, "throughput.svg", p.Title.Text)
}

func p99Plot(r *results.Run) (Plot, error) {
	p := plot.New()
	p.Title.Text = "p99 latency over time (run phase, all operations)"
	p.X.Label.Text = "seconds"
	p.Y.Label.Text = "p99 (ms)"
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Add(plotter.NewGrid())
	lines := 0
	for i, t := range r.Targets {
		var xys plotter.XYs
		for _, tk := range t.Run.Timeline {
			if tk.P99 > 0 {
				xys = append(xys, plotter.XY{X: float64(tk.Second + 1), Y: float64(tk.P99) / 1000})
			}
		}
		if err := addLine(p, &lines, t.Name, i, xys); err != nil {
			return Plot{}, err
		}
	}
	return render(p, lines, "p99.svg", p.Title.Text)
}

func addLine(p *plot.Plot, lines *int, name string, i int, xys plotter.XYs) error {
	if len(xys) == 0 {
		return nil
	}
	*lines++
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("report: plot %s: %w", name, err)
	}
	l.Color = plotutil.Color(i)
	l.Dashes = plotutil.Dashes(i)
	l.Width = vg.Points(1.5)
	p.Add(l)
	p.Legend.Add(name, l)
	p.Legend.Top = true
	return nil
}

func render(p *plot.Plot, lines int, name, title string) (Plot, error) {
	if lines == 0 { // no data: a log axis has no range to draw
		p.X.Scale, p.Y.Scale = plot.LinearScale{}, plot.LinearScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.DefaultTicks{}, plot.DefaultTicks{}
		p.Title.Text += " (no data)"
	}
	w, err := p.WriterTo(7*vg.Inch, 4*vg.Inch, "svg")
	if err != nil {
		return Plot{}, fmt.Errorf("report: render %s: %w", name, err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return Plot{}, fmt.Errorf("report: render %s: %w", name, err)
	}
	return Plot{Name: name, Title: title, SVG: b.Bytes()}, nil
}
