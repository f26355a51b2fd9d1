package history

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// Header is the first line of a history file: what produced it.
type Header struct {
	Workload string `json:"workload"`
	Seed     int64  `json:"seed"`
	// Start is the wall-clock start of the run (RFC 3339), for humans; event
	// times are monotonic nanoseconds since that moment.
	Start    string         `json:"start"`
	Endpoint string         `json:"endpoint,omitempty"`
	Params   map[string]any `json:"params,omitempty"`
}

// History is a header and its events in order.
type History struct {
	Header Header
	Ops    []Op
}

type headerLine struct {
	Header *Header `json:"header"`
}

// WriteJSONL writes h as JSON lines: the header, then one event per line.
func WriteJSONL(w io.Writer, h History) error {
	bw := bufio.NewWriter(w)
	if err := writeLine(bw, headerLine{Header: &h.Header}); err != nil {
		return err
	}
	for _, op := range h.Ops {
		if err := writeLine(bw, op); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("history: flush: %w", err)
	}
	return nil
}

// ReadJSONL reads a history written by WriteJSONL or a Recorder. A
// truncated last line (a run that crashed mid-write) is an error.
func ReadJSONL(r io.Reader) (History, error) {
	var h History
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		if line == 1 {
			var hl headerLine
			if err := json.Unmarshal(b, &hl); err != nil || hl.Header == nil {
				return h, fmt.Errorf("history: line 1: not a header: %w", err)
			}
			h.Header = *hl.Header
			continue
		}
		var op Op
		if err := json.Unmarshal(b, &op); err != nil {
			return h, fmt.Errorf("history: line %d: %w", line, err)
		}
		h.Ops = append(h.Ops, op)
	}
	if err := sc.Err(); err != nil {
		return h, fmt.Errorf("history: read: %w", err)
	}
	return h, nil
}
