package vfs

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestCrashKeepsOnlyDurable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		run      func(t *testing.T, c *Crashable)
		file     string
		want     []byte
		wantGone bool
	}{
		{
			name: "synced data and synced dir survive",
			run: func(t *testing.T, c *Crashable) {
				f := must(c.Create("/d/a"))
				write(t, f, "hello")
				syncFile(t, f)
				write(t, f, " world")
				if err := c.SyncDir("/d"); err != nil {
					t.Fatal(err)
				}
			},
			file: "/d/a", want: []byte("hello"),
		},
		{
			name: "file whose dir was not synced vanishes",
			run: func(t *testing.T, c *Crashable) {
				f := must(c.Create("/d/a"))
				write(t, f, "x")
				syncFile(t, f)
			},
			file: "/d/a", wantGone: true,
		},
		{
			name: "unsynced rename is undone",
			run: func(t *testing.T, c *Crashable) {
				f := must(c.Create("/d/tmp"))
				write(t, f, "v")
				syncFile(t, f)
				_ = c.SyncDir("/d")
				if err := c.Rename("/d/tmp", "/d/final"); err != nil {
					t.Fatal(err)
				}
			},
			file: "/d/final", wantGone: true,
		},
		{
			name: "unsynced remove is undone",
			run: func(t *testing.T, c *Crashable) {
				f := must(c.Create("/d/a"))
				write(t, f, "keep")
				syncFile(t, f)
				_ = c.SyncDir("/d")
				_ = c.Remove("/d/a")
			},
			file: "/d/a", want: []byte("keep"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCrashable()
			if err := c.MkdirAll("/d"); err != nil {
				t.Fatal(err)
			}
			tc.run(t, c)
			c.Crash(CrashOptions{})
			got, err := c.ReadFile(tc.file)
			if tc.wantGone {
				if err == nil {
					t.Fatalf("%s survived the crash: %q", tc.file, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("after crash %s = %q, want %q", tc.file, got, tc.want)
			}
		})
	}
}

func TestTornTailKeepsSyncedPrefix(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		c := NewCrashable()
		_ = c.MkdirAll("/d")
		f := must(c.Create("/d/a"))
		write(t, f, "durable")
		syncFile(t, f)
		_ = c.SyncDir("/d")
		write(t, f, "maybe-lost")
		c.Crash(CrashOptions{Rand: r})
		got, _ := c.ReadFile("/d/a")
		if !bytes.HasPrefix(got, []byte("durable")) {
			t.Fatalf("synced prefix lost: %q", got)
		}
		if _, err := f.Write([]byte("x")); err == nil {
			t.Fatalf("old handle still writes after crash")
		}
	}
}

func must(f File, err error) File {
	if err != nil {
		panic(err)
	}
	return f
}

func write(t *testing.T, f File, s string) {
	t.Helper()
	if _, err := f.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

func syncFile(t *testing.T, f File) {
	t.Helper()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}
