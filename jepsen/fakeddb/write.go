package fakeddb

import (
	"encoding/json"
	"strings"
	"time"
)

type writeReq struct {
	TableName                 string
	Item                      map[string]wireAttr
	Key                       map[string]wireAttr
	UpdateExpression          string
	ConditionExpression       string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]wireAttr
}

// write serves PutItem and UpdateItem, with the configured indeterminacy
// around the apply.
func (s *Server) write(op string, body []byte) (any, error) {
	var req writeReq
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, &apiError{400, "SerializationException", err.Error()}
	}
	in := s.opts.Indeterminacy
	if s.chance(in.LateWrites) {
		time.Sleep(in.SlowDelay) // the client gives up; the write applies later
	}
	if s.chance(in.InternalErrors) {
		if s.chance(0.5) {
			if _, err := s.apply(op, &req); err != nil {
				return nil, err
			}
		}
		return nil, &apiError{500, "InternalServerError", "Internal server error"}
	}
	res, err := s.apply(op, &req)
	if err == nil && s.chance(in.SlowWrites) {
		time.Sleep(in.SlowDelay) // applied, but the client times out
	}
	return res, err
}

func (s *Server) apply(op string, req *writeReq) (any, error) {
	if op == "PutItem" {
		return s.put(req)
	}
	return s.update(req)
}

func (s *Server) put(req *writeReq) (any, error) {
	it := item{}
	for n, w := range req.Item {
		a, err := parseAttr(w)
		if err != nil {
			return nil, err
		}
		it[n] = a
	}
	if req.ConditionExpression != "" {
		return nil, validation("fakeddb: PutItem conditions are not supported")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(req.TableName)
	if err != nil {
		return nil, err
	}
	// The key is the item's attributes named in the request's key; for
	// PutItem the fake takes every S attribute named "pk".
	k, err := keyOf(map[string]wireAttr{"pk": req.Item["pk"]})
	if err != nil {
		return nil, err
	}
	t.set(k, it)
	return map[string]any{}, nil
}

func (t *table) set(k string, it item) {
	v := t.items[k]
	if v == nil {
		v = &versions{}
		t.items[k] = v
	}
	v.prev, v.cur = v.cur, it
}

// update applies "SET #a = :v" or "ADD #a :v", under an optional condition
// "#a = :v".
func (s *Server) update(req *writeReq) (any, error) {
	k, err := keyOf(req.Key)
	if err != nil {
		return nil, err
	}
	verb, name, val, err := parseUpdate(req)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(req.TableName)
	if err != nil {
		return nil, err
	}
	var cur item
	if v := t.items[k]; v != nil && v.cur != nil {
		cur = v.cur.clone()
	}
	if req.ConditionExpression != "" {
		ok, err := holds(req, cur)
		if err != nil {
			return nil, err
		}
		if !ok && !s.chanceLocked(s.opts.Faults.IgnoreConditions) {
			return nil, &apiError{400, "ConditionalCheckFailedException", "The conditional request failed"}
		}
	}
	if cur == nil {
		cur = item{}
		for n, w := range req.Key {
			a, err := parseAttr(w)
			if err != nil {
				return nil, err
			}
			cur[n] = a
		}
	}
	switch verb {
	case "SET":
		cur[name] = val
	case "ADD":
		old, exists := cur[name]
		switch {
		case val.kind == "N":
			if exists && old.kind != "N" {
				return nil, validation("An operand in the update expression has an incorrect data type")
			}
			times := int64(1)
			if s.chanceLocked(s.opts.Faults.DoubleAdd) {
				times = 2
			}
			cur[name] = attr{kind: "N", n: old.n + times*val.n}
		case val.kind == "NS":
			if exists && old.kind != "NS" {
				return nil, validation("An operand in the update expression has an incorrect data type")
			}
			if s.chanceLocked(s.opts.Faults.LoseSetAdds) {
				return map[string]any{}, nil // acknowledged, not applied
			}
			ns := old.ns
			if ns == nil {
				ns = map[int64]bool{}
			}
			for e := range val.ns {
				ns[e] = true
			}
			cur[name] = attr{kind: "NS", ns: ns}
		default:
			return nil, validation("Incorrect operand type for operator or function; operator: ADD")
		}
	}
	t.set(k, cur)
	return map[string]any{}, nil
}

func resolve(req *writeReq, tok string) (string, error) {
	if strings.HasPrefix(tok, "#") {
		n, ok := req.ExpressionAttributeNames[tok]
		if !ok {
			return "", validation("An expression attribute name used in the document path is not defined; attribute name: %s", tok)
		}
		return n, nil
	}
	return tok, nil
}

func value(req *writeReq, tok string) (attr, error) {
	w, ok := req.ExpressionAttributeValues[tok]
	if !ok {
		return attr{}, validation("An expression attribute value used in expression is not defined; attribute value: %s", tok)
	}
	return parseAttr(w)
}

func parseUpdate(req *writeReq) (verb, name string, val attr, err error) {
	f := strings.Fields(req.UpdateExpression)
	switch {
	case len(f) == 4 && strings.EqualFold(f[0], "SET") && f[2] == "=":
		verb = "SET"
	case len(f) == 3 && strings.EqualFold(f[0], "ADD"):
		verb = "ADD"
		f = []string{f[0], f[1], "", f[2]}
	default:
		return "", "", attr{}, validation("fakeddb supports only 'SET #a = :v' and 'ADD #a :v', got %q", req.UpdateExpression)
	}
	if name, err = resolve(req, f[1]); err != nil {
		return "", "", attr{}, err
	}
	val, err = value(req, f[3])
	return verb, name, val, err
}

func holds(req *writeReq, cur item) (bool, error) {
	f := strings.Fields(req.ConditionExpression)
	if len(f) != 3 || f[1] != "=" {
		return false, validation("fakeddb supports only '#a = :v' conditions, got %q", req.ConditionExpression)
	}
	name, err := resolve(req, f[0])
	if err != nil {
		return false, err
	}
	want, err := value(req, f[2])
	if err != nil {
		return false, err
	}
	got, ok := cur[name]
	return ok && got.equal(want), nil
}
