package results

import (
	"fmt"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range: 1 µs to one hour, 3 significant digits.
const (
	LowestUs  = 1
	HighestUs = 3600 * 1000 * 1000
	Digits    = 3
)

// NewHist returns an empty latency histogram in microseconds.
func NewHist() *hdr.Histogram { return hdr.New(LowestUs, HighestUs, Digits) }

// Record adds one value in µs, clamped into the histogram's range.
func Record(h *hdr.Histogram, us int64) {
	if us < LowestUs {
		us = LowestUs
	}
	if us > HighestUs {
		us = HighestUs
	}
	_ = h.RecordValue(us) // in range by construction
}

// Encode returns h in V2 compressed base64 form ("" for nil).
func Encode(h *hdr.Histogram) (string, error) {
	if h == nil {
		return "", nil
	}
	b, err := h.EncodeV2()
	if err != nil {
		return "", fmt.Errorf("results: encode histogram: %w", err)
	}
	return string(b), nil
}

// Decode parses Encode's output ("" is an empty histogram).
func Decode(s string) (*hdr.Histogram, error) {
	if s == "" {
		return NewHist(), nil
	}
	h, err := hdr.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("results: decode histogram: %w", err)
	}
	return h, nil
}

// Summarize computes Stats of h.
func Summarize(h *hdr.Histogram) Stats {
	if h == nil || h.TotalCount() == 0 {
		return Stats{}
	}
	return Stats{
		Count: h.TotalCount(),
		Mean:  h.Mean(),
		Min:   h.Min(),
		P50:   h.ValueAtQuantile(50),
		P90:   h.ValueAtQuantile(90),
		P99:   h.ValueAtQuantile(99),
		P999:  h.ValueAtQuantile(99.9),
		P9999: h.ValueAtQuantile(99.99),
		Max:   h.Max(),
	}
}
