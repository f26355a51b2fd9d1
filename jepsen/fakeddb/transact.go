package fakeddb

import (
	"encoding/json"
	"strings"
	"time"
)

type transactWriteReq struct {
	TransactItems []struct {
		Update         *writeReq
		ConditionCheck *writeReq
		Put            *writeReq
		Delete         *writeReq
	}
	ClientRequestToken string
}

type transactGetReq struct {
	TransactItems []struct {
		Get *getReq
	}
}

// transactWrite serves TransactWriteItems with Update actions: all
// conditions are checked, then all updates applied, under one lock
// (atomic and serializable), unless the NonAtomicTransactions fault applies
// only the first.
func (s *Server) transactWrite(body []byte) (any, error) {
	var req transactWriteReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	acts := make([]*writeReq, len(req.TransactItems))
	keys := make([]string, len(req.TransactItems))
	seen := map[string]bool{}
	for i, ti := range req.TransactItems {
		if ti.Update == nil {
			return nil, validation("fakeddb supports only Update actions in TransactWriteItems")
		}
		k, err := keyOf(ti.Update.Key)
		if err != nil {
			return nil, err
		}
		if seen[ti.Update.TableName+"/"+k] {
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[ti.Update.TableName+"/"+k] = true
		acts[i], keys[i] = ti.Update, k
	}
	if len(acts) == 0 {
		return nil, validation("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null")
	}
	return s.indeterminately(func() (any, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		type change struct {
			t    *table
			k    string
			next item
		}
		changes := make([]change, len(acts))
		reasons := make([]map[string]any, len(acts))
		failed := false
		for i, a := range acts {
			reasons[i] = map[string]any{"Code": "None"}
			t, err := s.lookup(a.TableName)
			if err != nil {
				return nil, err
			}
			next, err := s.next(a, t.current(keys[i]))
			if ae, ok := err.(*apiError); ok && ae.typ == "ConditionalCheckFailedException" {
				reasons[i] = map[string]any{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
				failed = true
				continue
			}
			if err != nil {
				return nil, err
			}
			changes[i] = change{t, keys[i], next}
		}
		if failed {
			codes := make([]string, len(reasons))
			for i, r := range reasons {
				codes[i] = r["Code"].(string)
			}
			return nil, &apiError{status: 400, typ: "TransactionCanceledException",
				msg:   "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]",
				extra: map[string]any{"CancellationReasons": reasons}}
		}
		if s.chanceLocked(s.opts.Faults.NonAtomicTransactions) {
			changes = changes[:1] // acknowledged, the rest dropped
		}
		for _, c := range changes {
			if c.next != nil {
				c.t.set(c.k, c.next)
			}
		}
		return map[string]any{}, nil
	})
}

// transactGet serves TransactGetItems: every item read under one lock (a
// consistent snapshot), unless the TornTransactGets fault reads each at a
// different moment.
func (s *Server) transactGet(body []byte) (any, error) {
	var req transactGetReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	keys := make([]string, len(req.TransactItems))
	for i, ti := range req.TransactItems {
		if ti.Get == nil {
			return nil, validation("fakeddb supports only Get actions in TransactGetItems")
		}
		k, err := keyOf(ti.Get.Key)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	torn := s.chance(s.opts.Faults.TornTransactGets)
	responses := make([]map[string]any, len(keys))
	read := func(i int) error {
		t, err := s.lookup(req.TransactItems[i].Get.TableName)
		if err != nil {
			return err
		}
		responses[i] = map[string]any{}
		if it := t.current(keys[i]); it != nil {
			responses[i]["Item"] = it.wire()
		}
		return nil
	}
	if !torn {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i := range keys {
			if err := read(i); err != nil {
				return nil, err
			}
		}
		return map[string]any{"Responses": responses}, nil
	}
	for i := range keys {
		if i > 0 {
			time.Sleep(s.opts.Faults.TornDelay)
		}
		s.mu.Lock()
		err := read(i)
		s.mu.Unlock()
		if err != nil {
			return nil, err
		}
	}
	return map[string]any{"Responses": responses}, nil
}
