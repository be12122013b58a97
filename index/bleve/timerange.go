package bleve

import (
	"time"

	bq "github.com/blevesearch/bleve/v2/search/query"
)

// Time is indexed as keyword terms rather than as a bleve date field. A
// date field indexes sixteen prefix-coded terms per value (precision step
// 4 over 64 bits), half of them unique to the document, and that alone cost
// a third of the indexing CPU. Here a mention gets four terms:
//
//   - created_key: the exact time as a fixed-width sortable string, the one
//     term with doc values (sorting, search_after cursors, range edges);
//   - created_bucket: its month, day and hour ("M202503", "D20250303",
//     "H2025030309"), which a range query uses for every whole hour, day
//     and month it covers.
//
// So a range costs a handful of term ranges over small dictionaries, and
// only its ragged ends (less than an hour each) touch the exact keys.
const (
	fieldTimeKey    = "created_key"
	fieldTimeBucket = "created_bucket"
)

// timeKeyLayout sorts lexicographically in time order for years 1–9999.
const timeKeyLayout = "20060102T150405.000000000"

func timeKey(t time.Time) string { return t.UTC().Format(timeKeyLayout) }

// timeLevel is one bucket resolution: its term prefix and layout, and how
// to truncate a time to the start of its bucket or step to the next one.
type timeLevel struct {
	prefix, layout string
	floor          func(time.Time) time.Time
	next           func(time.Time) time.Time
}

// timeLevels go from fine to coarse; each bucket is a whole number of
// buckets of the level before.
var timeLevels = []timeLevel{
	{"H", "2006010215", func(t time.Time) time.Time { return t.Truncate(time.Hour) },
		func(t time.Time) time.Time { return t.Add(time.Hour) }},
	{"D", "20060102", func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) },
		func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	{"M", "200601", func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) },
		func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
}

func (l timeLevel) term(t time.Time) string { return l.prefix + t.Format(l.layout) }

// ceil is the start of the first bucket that starts at or after t.
func (l timeLevel) ceil(t time.Time) time.Time {
	f := l.floor(t)
	if f.Equal(t) {
		return t
	}
	return l.next(f)
}

// timeBuckets are the bucket terms of t.
func timeBuckets(t time.Time) []string {
	t = t.UTC()
	out := make([]string, len(timeLevels))
	for i, l := range timeLevels {
		out[i] = l.term(t)
	}
	return out
}

// bound is one end of a range; open means unbounded.
type bound struct {
	t    time.Time
	open bool
}

// timeRangeQuery matches created_at in [from, to); a zero time leaves that
// end open. The range is cut into the exact-key slivers at its ends, then
// whole hours, whole days and whole months, each a term range over one
// level's terms; the pieces are disjoint and together cover the range.
func timeRangeQuery(from, to time.Time) bq.Query {
	lo := bound{t: from.UTC(), open: from.IsZero()}
	hi := bound{t: to.UTC(), open: to.IsZero()}
	var parts []bq.Query
	add := func(q bq.Query) {
		if q != nil {
			parts = append(parts, q)
		}
	}
	// finer is the level whose terms cover what lies outside whole buckets
	// of the current level: the exact key, then the previous level.
	finer := func(a, b time.Time, level int) bq.Query {
		if level == 0 {
			return keyRange(fieldTimeKey, bound{t: a}, bound{t: b}, timeKey)
		}
		return levelRange(timeLevels[level-1], bound{t: a}, bound{t: b})
	}
	for i, l := range timeLevels {
		loC, hiF := lo, hi
		if !lo.open {
			loC.t = l.ceil(lo.t)
		}
		if !hi.open {
			hiF.t = l.floor(hi.t)
		}
		if !loC.open && !hiF.open && !loC.t.Before(hiF.t) {
			// No whole bucket of this level inside: finer terms cover it all.
			if i == 0 {
				add(keyRange(fieldTimeKey, lo, hi, timeKey))
			} else {
				add(levelRange(timeLevels[i-1], lo, hi))
			}
			return disjunction(parts)
		}
		if !lo.open && !lo.t.Equal(loC.t) {
			add(finer(lo.t, loC.t, i))
		}
		if !hi.open && !hi.t.Equal(hiF.t) {
			add(finer(hiF.t, hi.t, i))
		}
		lo, hi = loC, hiF
	}
	add(levelRange(timeLevels[len(timeLevels)-1], lo, hi))
	return disjunction(parts)
}

// levelRange is a term range over one level's bucket terms; open ends stop
// at the level's prefix so that other levels' terms never match.
func levelRange(l timeLevel, lo, hi bound) bq.Query {
	min, max := l.prefix, l.prefix+"~"
	if !lo.open {
		min = l.term(lo.t)
	}
	if !hi.open {
		max = l.term(hi.t)
	}
	if min >= max {
		return nil
	}
	incl, excl := true, false
	q := bq.NewTermRangeInclusiveQuery(min, max, &incl, &excl)
	q.SetField(fieldTimeBucket)
	return q
}

func keyRange(field string, lo, hi bound, key func(time.Time) string) bq.Query {
	min, max := "", ""
	if !lo.open {
		min = key(lo.t)
	}
	if !hi.open {
		max = key(hi.t)
	}
	if min == "" && max == "" {
		return bq.NewMatchAllQuery()
	}
	if max != "" && min >= max {
		return nil
	}
	incl, excl := true, false
	q := bq.NewTermRangeInclusiveQuery(min, max, &incl, &excl)
	q.SetField(field)
	return q
}

func disjunction(qs []bq.Query) bq.Query {
	switch len(qs) {
	case 0:
		return bq.NewMatchNoneQuery()
	case 1:
		return qs[0]
	}
	return bq.NewDisjunctionQuery(qs)
}
