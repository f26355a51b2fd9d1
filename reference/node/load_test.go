package node

import (
	"testing"
	"time"
)

// The load meter: a rate sustained over the whole window, and only then,
// counts as sustained.
func TestLoadMeter(t *testing.T) {
	const window = time.Second // ten buckets of 100ms
	for _, tc := range []struct {
		name string
		// perBucket[i] requests land in bucket i (from the meter's start);
		// the check runs in bucket len(perBucket)-1 (not yet complete).
		perBucket []int
		rate      float64
		want      bool
	}{
		{"steady above", []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 100, true},
		{"steady above, current bucket empty", []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 0}, 100, true},
		{"steady at the threshold", []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, 100, false},
		{"window not yet full", []int{50, 50, 50, 50, 50, 50, 50, 50, 50, 50}, 100, false},
		{"one quiet bucket", []int{20, 20, 20, 20, 0, 20, 20, 20, 20, 20, 20}, 100, false},
		{"first bucket of the window quiet", []int{0, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 100, false},
		{"one burst", []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 5000, 0}, 100, false},
		{"quiet start, then sustained", []int{0, 0, 0, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 100, true},
		{"sustained, then stopped", []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 0, 0}, 100, false},
		{"off", []int{20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20}, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Unix(1000, 0)
			now := start
			m := newLoadMeter(window, func() time.Time { return now })
			for i, n := range tc.perBucket {
				now = start.Add(time.Duration(i)*100*time.Millisecond + time.Millisecond)
				for range n {
					m.add()
				}
			}
			now = start.Add(time.Duration(len(tc.perBucket)-1)*100*time.Millisecond + 50*time.Millisecond)
			if got := m.sustained(tc.rate); got != tc.want {
				t.Fatalf("sustained(%v) = %v, want %v", tc.rate, got, tc.want)
			}
		})
	}
	var none *loadMeter
	none.add()
	if none.sustained(1) {
		t.Fatal("a nil meter reports load")
	}
}
