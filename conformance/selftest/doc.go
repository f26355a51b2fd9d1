// Package selftest holds the conformance suite's tests that need the
// embedded reference engine: the reference's own conformance run against
// its baseline (conformance/baselines/reference.json), and the negative
// controls — the suite run through faultproxy in front of the reference,
// one injected fault at a time, asserting that the specs guarding each
// behaviour fail and that unrelated specs still pass.
//
// It is a package of its own so that the peer runs in package
// conformance keep building while the reference engine is being changed.
package selftest
