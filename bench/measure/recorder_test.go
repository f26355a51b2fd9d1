package measure

import (
	"bytes"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

func TestRecorderKeepsErrorsApartFromLatency(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	var log bytes.Buffer
	r, err := NewRecorder(t0, []string{"READ", "UPDATE"}, &log)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 99; i++ {
		r.OK("READ", 100*time.Microsecond, 50*time.Microsecond)
	}
	r.OK("READ", 2*time.Second, time.Millisecond) // intended-start latency far above service time
	r.Fail("UPDATE", "ProvisionedThroughputExceededException", true)
	r.Fail("UPDATE", "ConditionalCheckFailedException", false)
	r.OK("UPDATE", time.Millisecond, time.Millisecond)
	r.Count("READ", "not_found", 3)
	if _, _, err := r.Tick(t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	r.OK("READ", 200*time.Microsecond, 200*time.Microsecond)
	p, err := r.Phase(t0.Add(2 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want int64
	}{
		{"operations", p.Operations, 104},
		{"READ count", p.Ops[0].Count, 101},
		{"READ p50", p.Ops[0].Latency.P50, 100},
		{"READ max (µs, 3 digits)", p.Ops[0].Latency.Max / 1000, 2000},
		{"READ service max", p.Ops[0].Service.Max / 10, 100},
		{"READ not_found", p.Ops[0].Counters["not_found"], 3},
		{"UPDATE errors", p.Ops[1].Errors, 2},
		{"UPDATE throttles", p.Ops[1].Throttles, 1},
		{"UPDATE latency count (errors excluded)", p.Ops[1].Latency.Count, 1},
		{"timeline seconds", int64(len(p.Timeline)), 2},
		{"second 0 ops", p.Timeline[0].Ops, 103},
		{"second 0 errors", p.Timeline[0].Errors, 2},
		{"second 1 ops", p.Timeline[1].Ops, 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	if p.Ops[0].OpsPerSec != 50.5 {
		t.Errorf("READ ops/s = %v, want 50.5", p.Ops[0].OpsPerSec)
	}
	// The interval log holds every successful operation, tagged by type.
	rd := hdr.NewHistogramLogReader(&log)
	counts := map[string]int64{}
	for {
		h, err := rd.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		counts[h.Tag()] += h.TotalCount()
	}
	if counts["READ"] != 101 || counts["UPDATE"] != 1 {
		t.Errorf("interval log counts %v", counts)
	}
}
