package bench

import (
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeDynamo is a minimal DynamoDB-protocol endpoint for the runner's
// tests: it keeps no data, answers every operation with a well-formed
// empty success, and can freeze (stall) on a fixed schedule or add a fixed
// service delay.
type fakeDynamo struct {
	start time.Time
	// Every period, the server is frozen for the first stall of it:
	// requests arriving then wait until the stall ends.
	period, stall time.Duration
	delay         time.Duration // added to every request

	mu     sync.Mutex
	counts map[string]int
}

func (f *fakeDynamo) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

func (f *fakeDynamo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
	f.mu.Lock()
	if f.counts == nil {
		f.counts = map[string]int{}
	}
	f.counts[op]++
	f.mu.Unlock()
	if f.period > 0 {
		phase := time.Since(f.start) % f.period
		if phase < f.stall {
			time.Sleep(f.stall - phase)
		}
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	var body string
	switch op {
	case "CreateTable", "DescribeTable":
		body = `{"Table":{"TableName":"usertable","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"key","KeyType":"HASH"}]},` +
			`"TableDescription":{"TableName":"usertable","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"key","KeyType":"HASH"}]}}`
	case "GetItem":
		body = `{"Item":{"key":{"S":"user1"},"field0":{"S":"abc"}}}`
	case "BatchWriteItem":
		body = `{"UnprocessedItems":{}}`
	default:
		body = `{}`
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-1.0")
	h.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(body))), 10))
	io.WriteString(w, body)
}
