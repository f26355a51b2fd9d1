package checker

import (
	"testing"

	"github.com/anishathalye/porcupine"

	"github.com/ddbkit/ddbkit/jepsen/history"
)

const (
	R   = history.Read
	REC = history.ReadEC
	W   = history.Write
	CAS = history.CAS
	ADD = history.Add
	INC = history.Incr
	ok  = history.OK
	inf = history.Info
	fl  = history.Fail
)

func TestRegister(t *testing.T) {
	cases := []struct {
		name string
		ops  []opSpec
		want porcupine.CheckResult
		bad  []int
	}{
		{"empty read", []opSpec{{p: 0, f: R, key: 1, call: 1, ret: 2, typ: ok}}, porcupine.Ok, nil},
		{"write then read", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 1, f: R, key: 1, value: i64(1), call: 3, ret: 4, typ: ok},
		}, porcupine.Ok, nil},
		{"stale read", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: W, key: 1, value: i64(2), call: 3, ret: 4, typ: ok},
			{p: 1, f: R, key: 1, value: i64(1), call: 5, ret: 6, typ: ok},
		}, porcupine.Illegal, []int{1}},
		{"stale read on one key of two", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: W, key: 2, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 1, f: R, key: 2, call: 3, ret: 4, typ: ok},
			{p: 1, f: R, key: 1, value: i64(1), call: 5, ret: 6, typ: ok},
		}, porcupine.Illegal, []int{2}},
		{"concurrent read may see either", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: W, key: 1, value: i64(2), call: 3, ret: 8, typ: ok},
			{p: 1, f: R, key: 1, value: i64(1), call: 4, ret: 5, typ: ok},
			{p: 2, f: R, key: 1, value: i64(2), call: 6, ret: 7, typ: ok},
		}, porcupine.Ok, nil},
		{"cas on a mismatch acknowledged", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: CAS, key: 1, expect: i64(9), value: i64(3), call: 3, ret: 4, typ: ok},
		}, porcupine.Illegal, []int{1}},
		{"failed cas did nothing", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: CAS, key: 1, expect: i64(9), value: i64(3), call: 3, ret: 4, typ: fl},
			{p: 0, f: R, key: 1, value: i64(1), call: 5, ret: 6, typ: ok},
		}, porcupine.Ok, nil},
		{"timed-out write read later", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: inf},
			{p: 1, f: R, key: 1, call: 3, ret: 4, typ: ok},
			{p: 1, f: R, key: 1, value: i64(1), call: 10, ret: 11, typ: ok},
		}, porcupine.Ok, nil},
		{"timed-out write read, then the old value again", []opSpec{
			{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: W, key: 1, value: i64(2), call: 3, ret: 4, typ: inf},
			{p: 1, f: R, key: 1, value: i64(2), call: 5, ret: 6, typ: ok},
			{p: 1, f: R, key: 1, value: i64(1), call: 7, ret: 8, typ: ok},
		}, porcupine.Illegal, []int{1}},
		{"read of a value never written", []opSpec{
			{p: 1, f: R, key: 1, value: i64(5), call: 7, ret: 8, typ: ok},
		}, porcupine.Illegal, []int{1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &hb{}
			for _, s := range tc.ops {
				b.add(s)
			}
			res := CheckRegister(b.pairs(), RegisterOptions{})
			if res.Result != tc.want || res.Valid != (tc.want == porcupine.Ok) {
				t.Fatalf("result %v valid %v, want %v", res.Result, res.Valid, tc.want)
			}
			if len(res.IllegalKeys) != len(tc.bad) {
				t.Fatalf("illegal keys %v, want %v", res.IllegalKeys, tc.bad)
			}
			for i := range tc.bad {
				if res.IllegalKeys[i] != tc.bad[i] {
					t.Fatalf("illegal keys %v, want %v", res.IllegalKeys, tc.bad)
				}
			}
		})
	}
}

func TestSet(t *testing.T) {
	cases := []struct {
		name                          string
		ops                           []opSpec
		valid, unknown                bool
		lost, unexpected, stale, reco int
	}{
		{"all there", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 1, f: ADD, key: 1, value: i64(2), call: 1, ret: 3, typ: inf},
			{p: 0, f: R, key: 1, values: []int64{1, 2}, call: 10, ret: 11, typ: ok, final: true},
		}, true, false, 0, 0, 0, 1},
		{"lost acknowledged add", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: ADD, key: 1, value: i64(2), call: 3, ret: 4, typ: ok},
			{p: 0, f: R, key: 1, values: []int64{2}, call: 10, ret: 11, typ: ok, final: true},
		}, false, false, 1, 0, 0, 0},
		{"unexpected element", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: R, key: 1, values: []int64{1, 7}, call: 10, ret: 11, typ: ok, final: true},
		}, false, false, 0, 1, 0, 0},
		{"failed add applied", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 2, typ: fl},
			{p: 0, f: R, key: 1, values: []int64{1}, call: 10, ret: 11, typ: ok, final: true},
		}, false, false, 0, 1, 0, 0},
		{"stale consistent read", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 1, f: R, key: 1, values: nil, call: 3, ret: 4, typ: ok},
			{p: 0, f: R, key: 1, values: []int64{1}, call: 10, ret: 11, typ: ok, final: true},
		}, false, false, 0, 0, 1, 0},
		{"element read, then gone", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 20, typ: inf},
			{p: 1, f: R, key: 1, values: []int64{1}, call: 3, ret: 4, typ: ok},
			{p: 1, f: R, key: 1, values: nil, call: 5, ret: 6, typ: ok},
			{p: 0, f: R, key: 1, values: []int64{1}, call: 30, ret: 31, typ: ok, final: true},
		}, false, false, 0, 0, 1, 1},
		{"no final read", []opSpec{
			{p: 0, f: ADD, key: 1, value: i64(1), call: 1, ret: 2, typ: ok},
			{p: 0, f: R, key: 1, call: 10, ret: 11, typ: inf, final: true},
		}, false, true, 0, 0, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &hb{}
			for _, s := range tc.ops {
				b.add(s)
			}
			res := CheckSet(b.pairs())
			if res.Valid != tc.valid || res.Unknown != tc.unknown || len(res.Lost) != tc.lost ||
				len(res.Unexpected) != tc.unexpected || res.StaleCount != tc.stale || res.Recovered != tc.reco {
				t.Fatalf("%+v", res)
			}
		})
	}
}

func TestCounter(t *testing.T) {
	cases := []struct {
		name   string
		ops    []opSpec
		valid  bool
		errors int
	}{
		{"exact", []opSpec{
			{p: 0, f: INC, key: 1, value: i64(2), call: 1, ret: 2, typ: ok},
			{p: 0, f: INC, key: 1, value: i64(3), call: 3, ret: 4, typ: ok},
			{p: 1, f: R, key: 1, value: i64(5), call: 10, ret: 11, typ: ok, final: true},
		}, true, 0},
		{"info may or may not count", []opSpec{
			{p: 0, f: INC, key: 1, value: i64(2), call: 1, ret: 2, typ: ok},
			{p: 1, f: INC, key: 1, value: i64(3), call: 3, ret: 4, typ: inf},
			{p: 2, f: R, key: 1, value: i64(2), call: 5, ret: 6, typ: ok},
			{p: 2, f: R, key: 1, value: i64(5), call: 10, ret: 11, typ: ok, final: true},
		}, true, 0},
		{"failed increments do not count", []opSpec{
			{p: 0, f: INC, key: 1, value: i64(2), call: 1, ret: 2, typ: fl},
			{p: 2, f: R, key: 1, value: i64(2), call: 10, ret: 11, typ: ok, final: true},
		}, false, 1},
		{"double applied", []opSpec{
			{p: 0, f: INC, key: 1, value: i64(2), call: 1, ret: 2, typ: ok},
			{p: 2, f: R, key: 1, value: i64(4), call: 10, ret: 11, typ: ok, final: true},
		}, false, 1},
		{"stale read during the run", []opSpec{
			{p: 0, f: INC, key: 1, value: i64(2), call: 1, ret: 2, typ: ok},
			{p: 1, f: R, key: 1, call: 3, ret: 4, typ: ok},
			{p: 2, f: R, key: 1, value: i64(2), call: 10, ret: 11, typ: ok, final: true},
		}, false, 1},
		{"read from the future", []opSpec{
			{p: 1, f: R, key: 1, value: i64(2), call: 1, ret: 2, typ: ok},
			{p: 0, f: INC, key: 1, value: i64(2), call: 3, ret: 4, typ: ok},
			{p: 2, f: R, key: 1, value: i64(2), call: 10, ret: 11, typ: ok, final: true},
		}, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &hb{}
			for _, s := range tc.ops {
				b.add(s)
			}
			res := CheckCounter(b.pairs())
			if res.Valid != tc.valid || res.ErrorCount != tc.errors {
				t.Fatalf("%+v", res)
			}
		})
	}
}

func TestStaleness(t *testing.T) {
	b := &hb{}
	b.add(opSpec{p: 0, f: W, key: 1, value: i64(1), call: 1, ret: 2, typ: ok})
	b.add(opSpec{p: 0, f: W, key: 1, value: i64(2), call: 3, ret: 4, typ: ok})
	// p0 reads its own older value: stale, a read-your-writes miss.
	b.add(opSpec{p: 0, f: REC, key: 1, value: i64(1), call: 10, ret: 11, typ: ok})
	// p1 reads 2 then 1: a monotonic-read regression.
	b.add(opSpec{p: 1, f: REC, key: 1, value: i64(2), call: 12, ret: 13, typ: ok})
	b.add(opSpec{p: 1, f: REC, key: 1, value: i64(1), call: 14, ret: 15, typ: ok})
	// p2 reads nothing while two writes are acknowledged: stale since 2.
	b.add(opSpec{p: 2, f: REC, key: 1, call: 16, ret: 17, typ: ok})
	res := CheckStaleness(b.pairs())
	want := StalenessResult{Reads: 4, Stale: 3, StaleFraction: 0.75, StalenessP50: 10, StalenessP99: 14, StalenessMax: 14,
		ReadYourWrites: 1, RYWMisses: 1, MonotonicPairs: 1, MonotonicRegressions: 1}
	if res != want {
		t.Fatalf("got  %+v\nwant %+v", res, want)
	}
}
