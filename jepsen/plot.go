package jepsen

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

var typeColors = map[history.Type]color.Color{
	history.OK:   color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	history.Fail: color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	history.Info: color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff},
}

// PlotTimeline writes a PNG with two panels sharing the time axis: the
// latency of every operation (log scale, colored ok / fail / info; info
// operations are drawn at their timeout) and the throughput of ok
// operations per 100 ms; fault windows are shaded in both.
func PlotTimeline(w io.Writer, res *Result) error {
	pairs := history.Pairs(res.History.Ops)
	lat := plot.New()
	lat.Title.Text = fmt.Sprintf("%s workload, seed %d: %s", res.Workload, res.Seed, res.Verdict)
	lat.Y.Label.Text = "latency (ms)"
	lat.Y.Scale = plot.LogScale{}
	lat.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	lat.Legend.Top = true
	pts := map[history.Type]plotter.XYs{}
	var end float64
	lo, hi := math.Inf(1), 0.0
	for _, p := range pairs {
		if p.Invoke.Final {
			continue
		}
		ret := p.Complete.Time
		if ret == history.Never {
			continue
		}
		x := time.Duration(p.Call()).Seconds()
		y := math.Max(time.Duration(ret-p.Call()).Seconds()*1000, 0.01)
		pts[p.Type()] = append(pts[p.Type()], plotter.XY{X: x, Y: y})
		end = math.Max(end, x)
		lo, hi = math.Min(lo, y), math.Max(hi, y)
	}
	if hi == 0 {
		lo, hi = 0.01, 1
	}
	for _, f := range res.Faults {
		end = math.Max(end, time.Duration(f.Stop).Seconds())
	}
	shade(lat, res.Faults, lo, hi)
	for _, t := range []history.Type{history.OK, history.Fail, history.Info} {
		if len(pts[t]) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts[t])
		if err != nil {
			return fmt.Errorf("jepsen: plot: %w", err)
		}
		s.GlyphStyle.Color = typeColors[t]
		s.GlyphStyle.Radius = vg.Points(1.2)
		lat.Add(s)
		lat.Legend.Add(string(t), s)
	}

	thr := plot.New()
	thr.X.Label.Text = "time since start (s); shaded: fault windows"
	thr.Y.Label.Text = "ok ops/s"
	const bucket = 0.1
	n := int(end/bucket) + 1
	counts := make([]float64, n)
	for _, p := range pairs {
		if p.Type() == history.OK && !p.Invoke.Final {
			if i := int(time.Duration(p.Complete.Time).Seconds() / bucket); i < n {
				counts[i]++
			}
		}
	}
	line := make(plotter.XYs, n)
	peak := 1.0
	for i, c := range counts {
		line[i] = plotter.XY{X: (float64(i) + 0.5) * bucket, Y: c / bucket}
		peak = math.Max(peak, c/bucket)
	}
	thr.Y.Min = 0
	shade(thr, res.Faults, 0, peak)
	l, err := plotter.NewLine(line)
	if err != nil {
		return fmt.Errorf("jepsen: plot: %w", err)
	}
	l.Color = typeColors[history.OK]
	thr.Add(l)
	for _, p := range []*plot.Plot{lat, thr} {
		p.X.Min, p.X.Max = 0, end
		p.Add(plotter.NewGrid())
	}

	const width, height = 30 * vg.Centimeter, 18 * vg.Centimeter
	img := vgimg.New(width, height)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadX: vg.Millimeter, PadY: 2 * vg.Millimeter}
	plots := [][]*plot.Plot{{lat}, {thr}}
	canvases := plot.Align(plots, tiles, dc)
	lat.Draw(canvases[0][0])
	thr.Draw(canvases[1][0])
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		return fmt.Errorf("jepsen: plot: %w", err)
	}
	return nil
}

// shade adds one translucent rectangle per fault window spanning [lo, hi].
func shade(p *plot.Plot, faults []history.Window, lo, hi float64) {
	named := map[string]bool{}
	for _, f := range faults {
		x0, x1 := time.Duration(f.Start).Seconds(), time.Duration(f.Stop).Seconds()
		poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}})
		if err != nil {
			continue
		}
		c := parseHex(faultColor(f.Fault))
		poly.Color = c
		poly.LineStyle.Width = 0
		p.Add(poly)
		if !named[f.Fault] {
			named[f.Fault] = true
			p.Legend.Add(f.Fault, poly)
		}
	}
}

func parseHex(s string) color.Color {
	var r, g, b uint8
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b); err != nil {
		return color.Gray{Y: 0xdd}
	}
	return color.RGBA{R: r, G: g, B: b, A: 0xff}
}
