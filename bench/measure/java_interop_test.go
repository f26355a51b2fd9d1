package measure

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// javaHdrJar is where Debian's libhdrhistogram-java puts the Java library.
const javaHdrJar = "/usr/share/java/hdrhistogram.jar"

// TestIntervalLogReadByJavaHdrHistogram feeds an interval log to Java
// HdrHistogram's own HistogramLogProcessor and checks the count and maximum
// it reports. It needs Java and the jar (apt-get install
// libhdrhistogram-java); without them it says so and skips, since the
// format itself is also checked by the Go log reader in recorder_test.go.
func TestIntervalLogReadByJavaHdrHistogram(t *testing.T) {
	java, err := exec.LookPath("java")
	if err != nil {
		t.Skip("java not installed")
	}
	if _, err := os.Stat(javaHdrJar); err != nil {
		t.Skipf("%s not installed (apt-get install libhdrhistogram-java)", javaHdrJar)
	}
	path := filepath.Join(t.TempDir(), "run.hlog")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 0)
	r, err := NewRecorder(t0, []string{"READ", "UPDATE"}, f)
	if err != nil {
		t.Fatal(err)
	}
	for s := 0; s < 3; s++ {
		for i := 1; i <= 1000; i++ {
			r.OK("READ", time.Duration(i)*time.Microsecond, time.Microsecond)
		}
		r.OK("UPDATE", 7*time.Millisecond, time.Millisecond)
		if _, _, err := r.Tick(t0.Add(time.Duration(s+1) * time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	r.OK("READ", 123456*time.Microsecond, time.Millisecond)
	if _, err := r.Phase(t0.Add(3500 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(java, "-cp", javaHdrJar, "org.HdrHistogram.HistogramLogProcessor",
		"-i", path, "-tag", "READ", "-outputValueUnitRatio", "1").CombinedOutput()
	if err != nil {
		t.Fatalf("HistogramLogProcessor: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`#\[Max\s+=\s+([0-9.]+), Total count\s+=\s+(\d+)\]`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no summary in HistogramLogProcessor output:\n%s", out)
	}
	max, _ := strconv.ParseFloat(string(m[1]), 64)
	count, _ := strconv.Atoi(string(m[2]))
	if count != 3001 || max < 123456 || max > 123456*1.001 {
		t.Errorf("Java read count %d max %v µs, want 3001 and 123456 (3 digits)", count, max)
	}
}
