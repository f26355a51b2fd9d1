package keygen

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ddbkit/ddbkit/workloads"
)

// Golden values printed by Java YCSB itself (site.ycsb.Utils.hash compiled
// from YCSB master and run on this machine's Java 17): "user" + hash(k) is
// CoreWorkload.buildKeyName(k, 1, false).
func TestKeyNameMatchesJavaYCSB(t *testing.T) {
	golden := []struct {
		keynum int64
		want   string
	}{
		{0, "user6284781860667377211"},
		{1, "user8517097267634966620"},
		{2, "user1820151046732198393"},
		{3, "user4052466453699787802"},
		{42, "user55488592825689361"},
		{999, "user2071219101098386137"},
		{1000, "user5952875239596136740"},
		{123456, "user6192148097294465718"},
		{999999, "user2744965632448235251"},
		{1000000, "user1011632231655643464"},
		{2147483647, "user627943977067101855"},
		{-1, "user8289690350564177859"},
	}
	for _, g := range golden {
		if got := KeyName(g.keynum, 1, false); got != g.want {
			t.Errorf("KeyName(%d) = %s, want %s", g.keynum, got, g.want)
		}
	}
}

func TestKeyNameOrderedAndPadded(t *testing.T) {
	tests := []struct {
		keynum  int64
		pad     int
		ordered bool
		want    string
	}{
		{5, 1, true, "user5"},
		{5, 4, true, "user0005"},
		{12345, 3, true, "user12345"},
		{42, 20, false, "user00055488592825689361"},
	}
	for _, tt := range tests {
		if got := KeyName(tt.keynum, tt.pad, tt.ordered); got != tt.want {
			t.Errorf("KeyName(%d,%d,%v) = %s, want %s", tt.keynum, tt.pad, tt.ordered, got, tt.want)
		}
	}
}

// Constants read by reflection from Java YCSB's ZipfianGenerator objects.
func TestZipfianConstantsMatchJava(t *testing.T) {
	tests := []struct {
		name       string
		z          Zipfian
		zetan, eta float64
	}{
		{"ZipfianGenerator(1000)", NewZipfian(0, 999, 0.99), 7.728953217284729, 0.07480608670689805},
		{"ZipfianGenerator(1000000)", NewZipfian(0, 999999, 0.99), 15.391849746037371, 0.1362913333941101},
		{"scrambled base", NewScrambledZipfian(0, 999).gen, 26.46902820178302, 0.21220003380967406},
	}
	for _, tt := range tests {
		if !close(tt.z.zetan, tt.zetan, 1e-12) || !close(tt.z.eta, tt.eta, 1e-12) {
			t.Errorf("%s: zetan %v eta %v, want %v %v", tt.name, tt.z.zetan, tt.z.eta, tt.zetan, tt.eta)
		}
	}
	if z := NewZipfian(0, 999, 0.99); !close(z.zeta2th, 1.5034777750283594, 1e-15) || !close(z.alpha, 100, 1e-9) {
		t.Errorf("zeta2theta %v alpha %v", z.zeta2th, z.alpha)
	}
}

func close(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Abs(b) }

// Item 0 of a Zipfian(θ) over n items has probability 1/ζ(n,θ); item 1
// has 2^-θ/ζ(n,θ).
func TestZipfianHeadProbabilities(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	z := NewZipfian(0, 999, 0.99)
	const draws = 200000
	var c0, c1 int
	for i := 0; i < draws; i++ {
		switch v := z.Next(r); {
		case v == 0:
			c0++
		case v == 1:
			c1++
		case v < 0 || v > 999:
			t.Fatalf("draw %d outside [0,999]", v)
		}
	}
	p0, p1 := 1/z.zetan, math.Pow(0.5, 0.99)/z.zetan
	// 5 standard deviations of a binomial proportion: cannot flake.
	for _, c := range []struct {
		got, want float64
	}{{float64(c0) / draws, p0}, {float64(c1) / draws, p1}} {
		sd := math.Sqrt(c.want * (1 - c.want) / draws)
		if math.Abs(c.got-c.want) > 5*sd {
			t.Errorf("frequency %v, want %v ± %v", c.got, c.want, 5*sd)
		}
	}
}

func TestScrambledZipfianIsSkewedAndInRange(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := NewScrambledZipfian(0, 9999)
	counts := map[int64]int{}
	const draws = 100000
	for i := 0; i < draws; i++ {
		v := s.Next(r)
		if v < 0 || v > 9999 {
			t.Fatalf("draw %d outside range", v)
		}
		counts[v]++
	}
	// The most popular key is FNV(0) mod 10000 and takes ~1/ζ(10^10) of draws.
	hot := FNVHash64(0) % 10000
	if f := float64(counts[hot]) / draws; math.Abs(f-1/ScrambledZetan) > 0.01 {
		t.Errorf("hottest key frequency %v, want ≈ %v", f, 1/ScrambledZetan)
	}
}

func TestHotspot(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	h := NewHotspot(0, 9999, 0.0001, 0.5)
	if h.HotSet() != 1 {
		t.Fatalf("hot set %d, want 1", h.HotSet())
	}
	hits := 0
	const draws = 100000
	for i := 0; i < draws; i++ {
		if h.Next(r) == 0 {
			hits++
		}
	}
	if f := float64(hits) / draws; math.Abs(f-0.5) > 0.01 {
		t.Errorf("hot key frequency %v, want 0.5", f)
	}
}

func TestAckCounterLimitWaitsForGaps(t *testing.T) {
	c := NewAckCounter(100)
	if c.Last() != 99 {
		t.Fatalf("Last = %d, want 99", c.Last())
	}
	a, b, d := c.Next(), c.Next(), c.Next()
	steps := []struct {
		ack  int64
		want int64
	}{{b, 99}, {d, 99}, {a, 102}}
	for _, s := range steps {
		if err := c.Acknowledge(s.ack); err != nil {
			t.Fatal(err)
		}
		if c.Last() != s.want {
			t.Errorf("after ack %d Last = %d, want %d", s.ack, c.Last(), s.want)
		}
	}
}

func TestChooserStaysBelowInsertLimit(t *testing.T) {
	for _, dist := range []string{"uniform", "zipfian", "latest", "hotspot", "sequential", "exponential"} {
		t.Run(dist, func(t *testing.T) {
			spec, err := workloads.Parse(workloads.Properties{
				"recordcount": "1000", "operationcount": "1000", "requestdistribution": dist,
				"insertproportion": "0.5", "readproportion": "0.5",
			})
			if err != nil {
				t.Fatal(err)
			}
			ctr := NewAckCounter(spec.RecordCount)
			c, err := NewChooser(spec, ctr)
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(7, 8))
			for i := 0; i < 5000; i++ {
				if k := c.Next(r); k < 0 || k > ctr.Last() {
					t.Fatalf("chose %d outside [0,%d]", k, ctr.Last())
				}
			}
		})
	}
}

func TestDiscreteFollowsWeights(t *testing.T) {
	var d Discrete
	d.Add(0.95, "READ")
	d.Add(0.05, "UPDATE")
	r := rand.New(rand.NewPCG(9, 10))
	n := 0
	for i := 0; i < 100000; i++ {
		if d.Next(r) == "UPDATE" {
			n++
		}
	}
	if f := float64(n) / 100000; math.Abs(f-0.05) > 0.005 {
		t.Errorf("UPDATE frequency %v, want 0.05", f)
	}
}
