package node

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// answer is one canned API answer.
type answer struct {
	code int
	body string
}

// scripted answers the i-th request with answers[i] and checks the body
// it receives is the client's.
type scripted struct {
	t       *testing.T
	want    string
	answers []answer
	calls   int
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	if string(b) != s.want {
		s.t.Errorf("call %d read body %q, want %q", s.calls, b, s.want)
	}
	a := s.answers[min(s.calls, len(s.answers)-1)]
	s.calls++
	w.Header().Set("X-Call", strings.Repeat("i", s.calls))
	if a.code != 0 {
		w.WriteHeader(a.code)
	}
	_, _ = io.WriteString(w, a.body)
}

func TestFreshCatalog(t *testing.T) {
	const notFound = `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"x"}`
	const invalid = `{"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":"y"}`
	errSync := errors.New("no quorum")
	for _, tc := range []struct {
		name      string
		answers   []answer
		syncErr   error
		wantCode  int
		wantBody  string
		wantCalls int
		wantSyncs int
		wantHdr   string
	}{
		{"ok passes through", []answer{{0, `{"Item":{}}`}}, nil, 200, `{"Item":{}}`, 1, 0, "i"},
		{"server error passes through", []answer{{500, `boom`}}, nil, 500, `boom`, 1, 0, "i"},
		{"other 400 is sent as it was", []answer{{400, invalid}}, nil, 400, invalid, 1, 0, "i"},
		{"missing table is asked again after sync", []answer{{400, notFound}, {0, `{}`}}, nil, 200, `{}`, 2, 1, "ii"},
		{"still missing after sync", []answer{{400, notFound}, {400, notFound}}, nil, 400, notFound, 2, 1, "ii"},
		{"sync failed: first answer", []answer{{400, notFound}, {0, `{}`}}, errSync, 400, notFound, 1, 1, "i"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &scripted{t: t, want: `{"TableName":"t"}`, answers: tc.answers}
			syncs := 0
			f := freshCatalog{h: h, sync: func(context.Context) error { syncs++; return tc.syncErr }}
			rec := httptest.NewRecorder()
			f.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader(h.want)))
			if rec.Code != tc.wantCode || rec.Body.String() != tc.wantBody {
				t.Errorf("answer %d %q, want %d %q", rec.Code, rec.Body.String(), tc.wantCode, tc.wantBody)
			}
			if got := rec.Header().Get("X-Call"); got != tc.wantHdr {
				t.Errorf("header from call %q, want %q (only the sent answer's headers)", got, tc.wantHdr)
			}
			if h.calls != tc.wantCalls || syncs != tc.wantSyncs {
				t.Errorf("%d calls and %d syncs, want %d and %d", h.calls, syncs, tc.wantCalls, tc.wantSyncs)
			}
		})
	}
}
