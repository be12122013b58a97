package progress

// Position is one entry of a Sequence: a record read from an ordered source.
type Position struct {
	id   string
	done bool
}

// ID is the source position (e.g. a Mastodon status id).
func (p *Position) ID() string { return p.id }

// Sequence follows the positions of one ordered source (a timeline) from
// read to acknowledgement and keeps its watermark: the highest position such
// that every position read at or below it is done. Positions may complete
// out of order and need not be read in strictly increasing order; the mark
// never passes a position still open. A Sequence is not safe for concurrent
// use; its owner locks.
type Sequence struct {
	cmp   func(a, b string) int
	mark  string
	queue []*Position // read order; a done prefix is popped eagerly
	held  []string    // popped ids not yet below every open position
}

// NewSequence returns a sequence starting at mark ("" for none), ordering
// ids with cmp.
func NewSequence(mark string, cmp func(a, b string) int) *Sequence {
	return &Sequence{cmp: cmp, mark: mark}
}

// Mark is the watermark: every position read at or below it is done.
func (s *Sequence) Mark() string { return s.mark }

// Open is the number of positions read and not yet done.
func (s *Sequence) Open() int {
	n := 0
	for _, p := range s.queue {
		if !p.done {
			n++
		}
	}
	return n
}

// Add records a position read from the source and returns it open.
func (s *Sequence) Add(id string) *Position {
	p := &Position{id: id}
	s.queue = append(s.queue, p)
	return p
}

// Pass records a position that needs no delivery (filtered out, or already
// delivered through another path): it is done at once.
func (s *Sequence) Pass(id string) bool {
	return s.Done(s.Add(id))
}

// Done marks p done and reports whether the watermark advanced.
func (s *Sequence) Done(p *Position) bool {
	p.done = true
	i := 0
	for i < len(s.queue) && s.queue[i].done {
		s.held = append(s.held, s.queue[i].id)
		s.queue[i] = nil
		i++
	}
	if i == 0 {
		return false
	}
	s.queue = s.queue[i:]
	if len(s.queue) == 0 {
		s.queue = nil // let the backing array go
	}
	// The mark may move to the highest popped id below every open position.
	var lowestOpen string
	hasOpen := false
	for _, q := range s.queue {
		if !q.done && (!hasOpen || s.cmp(q.id, lowestOpen) < 0) {
			lowestOpen, hasOpen = q.id, true
		}
	}
	advanced := false
	kept := s.held[:0]
	for _, id := range s.held {
		if hasOpen && s.cmp(id, lowestOpen) >= 0 {
			kept = append(kept, id)
			continue
		}
		if s.mark == "" || s.cmp(id, s.mark) > 0 {
			s.mark = id
			advanced = true
		}
	}
	s.held = kept
	return advanced
}
