package keygen

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/ddbkit/ddbkit/workloads"
)

// Chooser picks the record number of the next read, update or scan as
// CoreWorkload.nextKeynum does, for one worker. Copy it with Clone for
// each worker: stateful parts that YCSB shares (the insert counter, the
// sequential counter) stay shared; per-draw state is per copy.
type Chooser struct {
	dist      string
	counter   *AckCounter
	uniform   Uniform
	scrambled ScrambledZipfian
	latest    Zipfian
	hotspot   Hotspot
	seq       Sequential
	exp       Exponential
}

// NewChooser builds the request distribution of s. The counter is the
// run's shared insert counter (NewAckCounter(s.RecordCount)).
func NewChooser(s workloads.Spec, counter *AckCounter) (Chooser, error) {
	c := Chooser{dist: s.RequestDistribution, counter: counter}
	lo, hi := s.InsertStart, s.InsertStart+s.InsertCount-1
	switch s.RequestDistribution {
	case "uniform":
		c.uniform = NewUniform(lo, hi)
	case "sequential":
		c.seq = NewSequential(lo, hi)
	case "zipfian":
		// YCSB sizes the key space for the inserts it expects (2x fudge
		// factor) so that popular keys stay popular as records are added.
		expectedNew := int64(int32(float64(s.OperationCount) * s.InsertProportion * 2.0))
		c.scrambled = NewScrambledZipfian(lo, lo+s.InsertCount+expectedNew)
	case "latest":
		c.latest = NewZipfian(0, counter.Last()-1, ZipfianConstant)
	case "hotspot":
		c.hotspot = NewHotspot(lo, hi, s.HotspotDataFraction, s.HotspotOpnFraction)
	case "exponential":
		c.exp = NewExponential(s.ExponentialPercentile, float64(s.RecordCount)*s.ExponentialFrac)
	default:
		return Chooser{}, fmt.Errorf("keygen: unknown request distribution %q", s.RequestDistribution)
	}
	return c, nil
}

// Clone returns a copy for another worker.
func (c Chooser) Clone() Chooser { return c }

// Next picks a record number no greater than the acknowledged insert limit.
func (c *Chooser) Next(r *rand.Rand) int64 {
	if c.dist == "exponential" {
		for {
			k := c.counter.Last() - javaIntValue(c.exp.Next(r))
			if k >= 0 {
				return k
			}
		}
	}
	for {
		k := c.draw(r)
		if k <= c.counter.Last() {
			return k
		}
	}
}

func (c *Chooser) draw(r *rand.Rand) int64 {
	switch c.dist {
	case "uniform":
		return c.uniform.Next(r)
	case "sequential":
		return c.seq.Next()
	case "zipfian":
		return c.scrambled.Next(r)
	case "latest": // SkewedLatestGenerator
		max := c.counter.Last()
		return max - c.latest.NextN(r, max)
	default: // hotspot
		return c.hotspot.Next(r)
	}
}

// javaIntValue is Double.intValue(): truncation, saturating at int32.
func javaIntValue(f float64) int64 {
	switch {
	case math.IsNaN(f):
		return 0
	case f >= math.MaxInt32:
		return math.MaxInt32
	case f <= math.MinInt32:
		return math.MinInt32
	}
	return int64(f)
}

// LengthGen draws scan or field lengths: YCSB's constant, uniform
// (UniformLongGenerator) or zipfian (ZipfianGenerator) over [min, max].
type LengthGen struct {
	kind     string
	min, max int64
	zipf     Zipfian
}

// NewLengthGen returns a length generator; kind is constant, uniform or zipfian.
func NewLengthGen(kind string, min, max int64) (LengthGen, error) {
	g := LengthGen{kind: kind, min: min, max: max}
	switch kind {
	case "constant", "uniform":
	case "zipfian":
		g.zipf = NewZipfian(min, max, ZipfianConstant)
	default:
		return LengthGen{}, fmt.Errorf("keygen: unknown length distribution %q", kind)
	}
	return g, nil
}

// Next draws a length.
func (g *LengthGen) Next(r *rand.Rand) int64 {
	switch g.kind {
	case "constant":
		return g.max
	case "uniform":
		return NewUniform(g.min, g.max).Next(r)
	default:
		return g.zipf.Next(r)
	}
}
