package keygen

import (
	"math"
	"math/rand/v2"
)

// ZipfianConstant is YCSB's θ.
const ZipfianConstant = 0.99

// Scrambled-zipfian constants from YCSB's ScrambledZipfianGenerator: the
// underlying Zipfian ranges over ScrambledItemCount items, whose ζ for
// θ = 0.99 YCSB precomputed as ScrambledZetan.
const (
	ScrambledItemCount = int64(10000000000)
	ScrambledZetan     = 26.46902820178302
)

// Zipfian is YCSB's ZipfianGenerator over [base, base+items): item base is
// the most popular. It is a value type: copy it to give each worker its own
// (the incremental ζ update when the item count grows is per copy).
type Zipfian struct {
	items, base                       int64
	theta, alpha, zetan, eta, zeta2th float64
	countForZeta                      int64
}

// NewZipfian returns a Zipfian over [min, max] with constant theta,
// computing ζ(max-min+1, θ) (O(items)).
func NewZipfian(min, max int64, theta float64) Zipfian {
	return NewZipfianZeta(min, max, theta, Zeta(0, max-min+1, theta, 0))
}

// NewZipfianZeta is NewZipfian with a precomputed ζ(items, θ).
func NewZipfianZeta(min, max int64, theta, zetan float64) Zipfian {
	z := Zipfian{items: max - min + 1, base: min, theta: theta}
	z.zeta2th = Zeta(0, 2, theta, 0)
	z.alpha = 1.0 / (1.0 - theta)
	z.zetan = zetan
	z.countForZeta = z.items
	z.eta = (1 - math.Pow(2.0/float64(z.items), 1-theta)) / (1 - z.zeta2th/z.zetan)
	return z
}

// Zeta is YCSB's zetastatic(st, n, θ, initialsum): initialsum + Σ_{i=st}^{n-1} 1/(i+1)^θ.
func Zeta(st, n int64, theta, initialSum float64) float64 {
	sum := initialSum
	for i := st; i < n; i++ {
		sum += 1 / math.Pow(float64(i+1), theta)
	}
	return sum
}

// Next draws an item from [base, base+items).
func (z *Zipfian) Next(r *rand.Rand) int64 { return z.NextN(r, z.items) }

// NextN draws with itemCount items, updating ζ incrementally when the
// count grew (YCSB's nextLong(itemcount); a shrinking count is ignored, as
// YCSB does unless allowitemcountdecrease).
func (z *Zipfian) NextN(r *rand.Rand, itemCount int64) int64 {
	if itemCount > z.countForZeta {
		z.zetan = Zeta(z.countForZeta, itemCount, z.theta, z.zetan)
		z.countForZeta = itemCount
		z.eta = (1 - math.Pow(2.0/float64(z.items), 1-z.theta)) / (1 - z.zeta2th/z.zetan)
	}
	return z.fromUniform(r.Float64(), itemCount)
}

// fromUniform maps u ∈ [0,1) to an item, the body of YCSB's nextLong.
func (z *Zipfian) fromUniform(u float64, itemCount int64) int64 {
	uz := u * z.zetan
	if uz < 1.0 {
		return z.base
	}
	if uz < 1.0+math.Pow(0.5, z.theta) {
		return z.base + 1
	}
	return z.base + int64(float64(itemCount)*math.Pow(z.eta*u-z.eta+1, z.alpha))
}

// ScrambledZipfian is YCSB's ScrambledZipfianGenerator over [min, max]:
// popular items are spread over the key space by hashing a Zipfian draw
// over 10^10 items.
type ScrambledZipfian struct {
	min, itemCount int64
	gen            Zipfian
}

// NewScrambledZipfian returns YCSB's scrambled zipfian over [min, max] with
// θ = 0.99 and the precomputed ζ.
func NewScrambledZipfian(min, max int64) ScrambledZipfian {
	return ScrambledZipfian{
		min:       min,
		itemCount: max - min + 1,
		gen:       NewZipfianZeta(0, ScrambledItemCount, ZipfianConstant, ScrambledZetan),
	}
}

// Next draws a record number in [min, max].
func (s *ScrambledZipfian) Next(r *rand.Rand) int64 {
	return s.min + FNVHash64(s.gen.Next(r))%s.itemCount
}
