package keygen

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
)

// Uniform is YCSB's UniformLongGenerator over [lb, ub]:
// Math.abs(nextLong()) % interval + lb.
type Uniform struct{ lb, interval int64 }

// NewUniform returns a uniform generator over [lb, ub].
func NewUniform(lb, ub int64) Uniform { return Uniform{lb: lb, interval: ub - lb + 1} }

// Next draws from [lb, ub].
func (u Uniform) Next(r *rand.Rand) int64 {
	return javaAbs(int64(r.Uint64()))%u.interval + u.lb
}

// Hotspot is YCSB's HotspotIntegerGenerator: a fraction opnFraction of
// draws fall in the first dataFraction of [lb, ub], the rest in the
// remainder, each uniformly.
type Hotspot struct {
	lb, hot, cold int64
	opnFraction   float64
}

// NewHotspot returns a hotspot generator over [lb, ub].
func NewHotspot(lb, ub int64, dataFraction, opnFraction float64) Hotspot {
	interval := ub - lb + 1
	hot := int64(int32(float64(interval) * dataFraction)) // Java: (int) cast
	return Hotspot{lb: lb, hot: hot, cold: interval - hot, opnFraction: opnFraction}
}

// HotSet returns how many records form the hot set.
func (h Hotspot) HotSet() int64 { return h.hot }

// Next draws a record number.
func (h Hotspot) Next(r *rand.Rand) int64 {
	if r.Float64() < h.opnFraction {
		return h.lb + javaAbs(int64(r.Uint64()))%h.hot
	}
	return h.lb + h.hot + javaAbs(int64(r.Uint64()))%h.cold
}

// Exponential is YCSB's ExponentialGenerator built from (percentile, range):
// γ = -ln(1 - percentile/100) / range; draws -ln(u)/γ.
type Exponential struct{ gamma float64 }

// NewExponential returns the generator for "percentile% of draws fall
// below rangeSize".
func NewExponential(percentile, rangeSize float64) Exponential {
	return Exponential{gamma: -math.Log(1.0-percentile/100.0) / rangeSize}
}

// Next draws a non-negative value.
func (e Exponential) Next(r *rand.Rand) float64 {
	return -math.Log(r.Float64()) / e.gamma
}

// Sequential is YCSB's SequentialGenerator over [start, end]: one shared
// counter, so every worker's draws together walk the range in order.
type Sequential struct {
	counter         *atomic.Int64
	start, interval int64
}

// NewSequential returns a shared sequential generator.
func NewSequential(start, end int64) Sequential {
	return Sequential{counter: new(atomic.Int64), start: start, interval: end - start + 1}
}

// Next returns the next record number.
func (s Sequential) Next() int64 {
	return s.start + (s.counter.Add(1)-1)%s.interval
}

// Discrete is YCSB's DiscreteGenerator: picks a value with probability
// proportional to its weight, walking the values in the order added.
type Discrete struct {
	values  []string
	weights []float64
}

// Add appends a value with a weight.
func (d *Discrete) Add(weight float64, value string) {
	d.values = append(d.values, value)
	d.weights = append(d.weights, weight)
}

// Next picks a value.
func (d *Discrete) Next(r *rand.Rand) string {
	sum := 0.0
	for _, w := range d.weights {
		sum += w
	}
	val := r.Float64()
	for i, w := range d.weights {
		pw := w / sum
		if val < pw {
			return d.values[i]
		}
		val -= pw
	}
	return d.values[len(d.values)-1] // rounding: YCSB throws here; the last value is the one left
}
