package fakeddb

import (
	"encoding/json"
	"regexp"
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
		return nil, &apiError{status: 400, typ: "SerializationException", msg: err.Error()}
	}
	return s.indeterminately(func() (any, error) { return s.apply(op, &req) })
}

// indeterminately runs apply with the configured indeterminacy around it:
// held before (late), answered with an error after applying or not
// (internal errors), or answered late (slow).
func (s *Server) indeterminately(apply func() (any, error)) (any, error) {
	in := s.opts.Indeterminacy
	if s.chance(in.LateWrites) {
		time.Sleep(in.SlowDelay) // the client gives up; the write applies later
	}
	if s.chance(in.InternalErrors) {
		if s.chance(0.5) {
			if _, err := apply(); err != nil {
				return nil, err
			}
		}
		return nil, &apiError{status: 500, typ: "InternalServerError", msg: "Internal server error"}
	}
	res, err := apply()
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

// update applies "SET #a = :v", "ADD #a :v" or "SET #a = list_append(
// if_not_exists(#a, :empty), :v)", under an optional condition "#a = :v" or
// "#a >= :v".
func (s *Server) update(req *writeReq) (any, error) {
	k, err := keyOf(req.Key)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.lookup(req.TableName)
	if err != nil {
		return nil, err
	}
	next, err := s.next(req, t.current(k))
	if err != nil {
		return nil, err
	}
	if next != nil {
		t.set(k, next)
	}
	return map[string]any{}, nil
}

// current returns a copy of the item at k (nil: absent).
func (t *table) current(k string) item {
	if v := t.items[k]; v != nil && v.cur != nil {
		return v.cur.clone()
	}
	return nil
}

// next computes the item an update leaves, from cur (a copy, or nil),
// checking its condition; a nil item with a nil error means "acknowledge
// without applying" (a fault). s.mu must be held.
func (s *Server) next(req *writeReq, cur item) (item, error) {
	verb, name, val, err := parseUpdate(req)
	if err != nil {
		return nil, err
	}
	if req.ConditionExpression != "" {
		ok, err := holds(req, cur)
		if err != nil {
			return nil, err
		}
		if !ok && !s.chanceLocked(s.opts.Faults.IgnoreConditions) {
			return nil, &apiError{status: 400, typ: "ConditionalCheckFailedException", msg: "The conditional request failed"}
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
	case "APPEND":
		old, exists := cur[name]
		if exists && old.kind != "L" {
			return nil, validation("An operand in the update expression has an incorrect data type")
		}
		if val.kind != "L" {
			return nil, validation("An operand in the update expression has an incorrect data type")
		}
		cur[name] = attr{kind: "L", l: append(append([]int64{}, old.l...), val.l...)}
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
				return nil, nil // acknowledged, not applied
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
	return cur, nil
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

// listAppend is the list-append workload's update expression.
var listAppend = regexp.MustCompile(`^SET (#\w+) = list_append\(if_not_exists\((#\w+), (:\w+)\), (:\w+)\)$`)

func parseUpdate(req *writeReq) (verb, name string, val attr, err error) {
	if m := listAppend.FindStringSubmatch(req.UpdateExpression); m != nil {
		if m[1] != m[2] {
			return "", "", attr{}, validation("fakeddb: list_append must append to the attribute it sets")
		}
		if name, err = resolve(req, m[1]); err != nil {
			return "", "", attr{}, err
		}
		if empty, err := value(req, m[3]); err != nil || empty.kind != "L" || len(empty.l) != 0 {
			return "", "", attr{}, validation("fakeddb: if_not_exists needs an empty list")
		}
		val, err = value(req, m[4])
		return "APPEND", name, val, err
	}
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
	if len(f) != 3 || (f[1] != "=" && f[1] != ">=") {
		return false, validation("fakeddb supports only '#a = :v' and '#a >= :v' conditions, got %q", req.ConditionExpression)
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
	if f[1] == ">=" {
		return ok && got.kind == "N" && want.kind == "N" && got.n >= want.n, nil
	}
	return ok && got.equal(want), nil
}
