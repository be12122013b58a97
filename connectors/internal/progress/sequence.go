package progress

import "slices"

// Position is one entry of a Sequence: a record read from an ordered source.
type Position struct {
	id   string
	done bool
}

// ID is the source position (e.g. a Mastodon status id).
func (p *Position) ID() string { return p.id }

// maxHeld bounds the done positions a Sequence keeps above an open one.
const maxHeld = 4096

// Sequence follows the positions of one ordered source (a timeline) from
// read to acknowledgement and keeps its watermark: the highest position such
// that every position read at or below it is done. Positions may complete
// in any order and be read in any order; the mark never passes a position
// still open. Memory is bounded by the open positions plus maxHeld: beyond
// that the lowest held positions are forgotten, which can only keep the mark
// lower than it could be (a restart re-reads a little more), never higher.
// A Sequence is not safe for concurrent use; its owner locks.
type Sequence struct {
	cmp  func(a, b string) int
	mark string
	open map[*Position]struct{}
	held []string // done ids not below every open position
}

// NewSequence returns a sequence starting at mark ("" for none), ordering
// ids with cmp.
func NewSequence(mark string, cmp func(a, b string) int) *Sequence {
	return &Sequence{cmp: cmp, mark: mark, open: map[*Position]struct{}{}}
}

// hold keeps a done id that cannot move into the mark yet.
func (s *Sequence) hold(id string) {
	s.held = append(s.held, id)
	if len(s.held) > maxHeld {
		slices.SortFunc(s.held, s.cmp)
		s.held = slices.Clone(s.held[len(s.held)-maxHeld/2:])
	}
}

// Mark is the watermark: every position read at or below it is done.
func (s *Sequence) Mark() string { return s.mark }

// Open is the number of positions read and not yet done.
func (s *Sequence) Open() int { return len(s.open) }

// Add records a position read from the source and returns it open.
func (s *Sequence) Add(id string) *Position {
	p := &Position{id: id}
	s.open[p] = struct{}{}
	return p
}

// Pass records a position that needs no delivery (filtered out, or already
// delivered through another path): it is done at once.
func (s *Sequence) Pass(id string) bool {
	return s.Done(s.Add(id))
}

// Done marks p done and reports whether the watermark advanced.
func (s *Sequence) Done(p *Position) bool {
	if p.done {
		return false
	}
	p.done = true
	delete(s.open, p)
	var lowestOpen string
	hasOpen := false
	for q := range s.open {
		if !hasOpen || s.cmp(q.id, lowestOpen) < 0 {
			lowestOpen, hasOpen = q.id, true
		}
	}
	if hasOpen && s.cmp(p.id, lowestOpen) >= 0 {
		// p was not below every other open position, so the lowest open
		// position did not change and nothing held can move: only p waits.
		s.hold(p.id)
		return false
	}
	// p was the lowest open position: p and every held id below the new
	// lowest may move into the mark.
	advanced := s.raise(p.id)
	kept := s.held[:0]
	for _, id := range s.held {
		if hasOpen && s.cmp(id, lowestOpen) >= 0 {
			kept = append(kept, id)
		} else if s.raise(id) {
			advanced = true
		}
	}
	s.held = kept
	return advanced
}

func (s *Sequence) raise(id string) bool {
	if s.mark == "" || s.cmp(id, s.mark) > 0 {
		s.mark = id
		return true
	}
	return false
}
