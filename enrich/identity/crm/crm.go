// Package crm writes the customer base into Kafka: file imports and CRM
// pushes as upserts into the compacted customers topic, and erasure (the
// GDPR right to be forgotten) as tombstones in the customers and prospects
// topics plus a deletion request for the index stage.
package crm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/earshothq/earshot/enrich/identity/customerfile"
	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Publisher writes records and returns once Kafka acknowledged every one
// (a nil Value is a tombstone). *pipeline.Producer implements it.
type Publisher interface {
	ProduceSync(ctx context.Context, outs ...pipeline.Output) error
}

// Upsert writes customers to the customers topic, keyed by id, and returns
// after Kafka acknowledged all of them. Records without an update time get
// now.
func Upsert(ctx context.Context, pub Publisher, topics pipeline.Topics, customers []record.Customer, now time.Time) error {
	outs := make([]pipeline.Output, 0, len(customers))
	for i := range customers {
		c := &customers[i]
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = now.UTC()
		}
		v, err := record.Encode(c)
		if err != nil {
			return fmt.Errorf("encoding customer %s: %w", c.ID, err)
		}
		outs = append(outs, pipeline.Output{Topic: topics.Customers(), Key: []byte(c.ID), Value: v})
	}
	if err := pub.ProduceSync(ctx, outs...); err != nil {
		return fmt.Errorf("writing %d customers to %s: %w", len(outs), topics.Customers(), err)
	}
	return nil
}

// ImportReport tells what an import did.
type ImportReport struct {
	Rows     int // rows read
	Imported int // rows written and acknowledged
	Bad      int // rows rejected
	// LastLine is the line of the last row acknowledged by Kafka: after a
	// failure, rows up to it are in the topic.
	LastLine int
}

// ImportOptions tune an import.
type ImportOptions struct {
	BatchSize int
	// DryRun validates without writing.
	DryRun bool
	// BadRow is told about every rejected row.
	BadRow func(line int, reasons []string)
	// Progress is told how many bytes of the file were read.
	Progress func(bytesRead int64)
	Now      func() time.Time
}

// Import reads every row of r, reports bad ones and writes good ones to
// the customers topic in acknowledged batches. A write failure stops the
// import; what was acknowledged before stays (ImportReport.LastLine).
func Import(ctx context.Context, r *customerfile.Reader, pub Publisher, topics pipeline.Topics, o ImportOptions) (ImportReport, error) {
	var rep ImportReport
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	var batch []record.Customer
	batchLast := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if !o.DryRun {
			if err := Upsert(ctx, pub, topics, batch, o.Now()); err != nil {
				return fmt.Errorf("%w (rows up to line %d were imported)", err, rep.LastLine)
			}
		}
		rep.Imported += len(batch)
		rep.LastLine = batchLast
		batch = batch[:0]
		return nil
	}
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ferr := flush(); ferr != nil {
				return rep, ferr
			}
			return rep, err
		}
		rep.Rows++
		if !row.OK() {
			rep.Bad++
			if o.BadRow != nil {
				o.BadRow(row.Line, row.Errors)
			}
		} else {
			batch = append(batch, row.Customer)
			batchLast = row.Line
		}
		if len(batch) >= o.BatchSize {
			if err := flush(); err != nil {
				return rep, err
			}
		}
		if o.Progress != nil && rep.Rows%256 == 0 {
			o.Progress(r.BytesRead())
		}
		if rep.Rows%1024 == 0 && ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if o.Progress != nil {
		o.Progress(r.BytesRead())
	}
	return rep, nil
}

// isEmail tells an email address from an id.
func isEmail(s string) bool { return strings.Contains(s, "@") }
