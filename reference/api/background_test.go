package api

import (
	"runtime"
	"testing"
	"time"

	"github.com/ddbkit/ddbkit/reference/catalog"
)

// Background work stops with Close, and also when a Handler that was never
// closed is dropped (its goroutines hold it only weakly).
func TestBackgroundStops(t *testing.T) {
	settle := func(want int) int {
		n := runtime.NumGoroutine()
		for deadline := time.Now().Add(5 * time.Second); n > want && time.Now().Before(deadline); n = runtime.NumGoroutine() {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		return n
	}
	runtime.GC()
	before := runtime.NumGoroutine()
	h := New(catalog.New(catalog.Options{}), Options{Background: Background{Interval: 5 * time.Millisecond}})
	if n := runtime.NumGoroutine(); n < before+2 {
		t.Fatalf("%d goroutines after New, %d before", n, before)
	}
	h.Close()
	if n := settle(before); n > before {
		t.Fatalf("%d goroutines after Close, %d before", n, before)
	}
	func() { // a Handler nobody closes
		New(catalog.New(catalog.Options{}), Options{Background: Background{Interval: 5 * time.Millisecond}})
	}()
	if n := settle(before); n > before {
		t.Fatalf("%d goroutines after dropping an unclosed Handler, %d before", n, before)
	}
}
