package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/record"
)

// Publisher writes records and returns once Kafka acknowledged every one.
// *pipeline.Producer implements it.
type Publisher interface {
	ProduceSync(ctx context.Context, outs ...pipeline.Output) error
}

// CustomerValidator checks one pushed customer and returns its problems
// (nil when it is good). cmd wires customerfile.Validate, which knows the
// phone plans and email rules of the identity resolution.
type CustomerValidator func(c *record.Customer) []string

// Limits of one POST /api/customers request.
const (
	maxCustomersBody    = 16 << 20
	maxCustomersRecords = 10000
)

// customersResponse answers an accepted upsert.
type customersResponse struct {
	Accepted int      `json:"accepted"`
	IDs      []string `json:"ids"`
	Topic    string   `json:"topic"`
}

// CustomersHandler serves POST /api/customers (an admin route of the
// table), the upsert a CRM pushes:
// one customer object, an array of them, or JSON Lines
// (application/x-ndjson). Every record is validated first; if any is bad
// the request is rejected with 422 naming each bad record and its
// problems, and nothing is written. Otherwise all records are written to
// the compacted customers topic, keyed by id, and the response (200) is
// sent only after Kafka acknowledged them; a broker failure is a 503 the
// CRM should retry (upserts are idempotent).
func CustomersHandler(pub Publisher, topics pipeline.Topics, validate CustomerValidator, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = logger.With("component", "customers-api")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		customers, err := decodeCustomers(w, r)
		if err != nil {
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				problem(w, r, http.StatusRequestEntityTooLarge, "too-large", fmt.Sprintf("the body is larger than %d bytes", maxCustomersBody))
			case errors.Is(err, errUnsupportedMedia):
				problem(w, r, http.StatusUnsupportedMediaType, "unsupported-media-type", err.Error())
			default:
				problem(w, r, http.StatusBadRequest, "bad-request", err.Error())
			}
			return
		}
		var rejected []RecordProblem
		seen := map[string]int{}
		for i := range customers {
			c := &customers[i]
			var problems []string
			if validate != nil {
				problems = validate(c)
			} else if strings.TrimSpace(c.ID) == "" {
				problems = []string{"has no id"}
			}
			if j, dup := seen[c.ID]; dup && c.ID != "" {
				problems = append(problems, fmt.Sprintf("repeats the id of record %d", j))
			}
			seen[c.ID] = i
			if len(problems) > 0 {
				rejected = append(rejected, RecordProblem{Index: i, ID: c.ID, Problems: problems})
			}
		}
		if len(rejected) > 0 {
			p := NewProblem(http.StatusUnprocessableEntity, "validation", fmt.Sprintf("%d of %d customers are invalid; nothing was written", len(rejected), len(customers)))
			p.Records = rejected
			WriteProblem(w, r, p)
			return
		}
		outs := make([]pipeline.Output, 0, len(customers))
		ids := make([]string, 0, len(customers))
		now := time.Now().UTC()
		for i := range customers {
			c := &customers[i]
			if c.UpdatedAt.IsZero() {
				c.UpdatedAt = now
			}
			v, err := record.Encode(c)
			if err != nil {
				problem(w, r, http.StatusBadRequest, "bad-request", fmt.Sprintf("record %d: %v", i, err))
				return
			}
			outs = append(outs, pipeline.Output{Topic: topics.Customers(), Key: []byte(c.ID), Value: v})
			ids = append(ids, c.ID)
		}
		if err := pub.ProduceSync(r.Context(), outs...); err != nil {
			logger.Warn("customer upsert not acknowledged", "records", len(outs), "error", err)
			w.Header().Set("Retry-After", "5")
			problem(w, r, http.StatusServiceUnavailable, "unavailable", "Kafka did not acknowledge the customers; nothing is lost by retrying the request (upserts are idempotent)")
			return
		}
		writeJSON(w, http.StatusOK, customersResponse{Accepted: len(outs), IDs: ids, Topic: topics.Customers()})
	})
}

var errUnsupportedMedia = errors.New("send application/json (an object or an array) or application/x-ndjson")

// decodeCustomers reads one object, an array, or JSON Lines.
func decodeCustomers(w http.ResponseWriter, r *http.Request) ([]record.Customer, error) {
	// No Content-Type is refused: it is what a cross-site form or fetch
	// without a CORS preflight sends.
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return nil, errUnsupportedMedia
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCustomersBody))
	if err != nil {
		return nil, fmt.Errorf("reading request body: %w", err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, errors.New("the request body is empty")
	}
	var out []record.Customer
	switch mt {
	case "application/json":
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if body[0] == '[' {
			err = dec.Decode(&out)
		} else {
			var c record.Customer
			err = dec.Decode(&c)
			out = append(out, c)
		}
		if err != nil {
			return nil, fmt.Errorf("decoding customers: %w", err)
		}
		if dec.More() {
			return nil, errors.New("decoding customers: more than one JSON value (send an array, or application/x-ndjson)")
		}
	case "application/x-ndjson", "application/jsonl", "application/json-seq":
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(make([]byte, 0, 64<<10), maxCustomersBody)
		for line := 1; sc.Scan(); line++ {
			b := bytes.TrimSpace(sc.Bytes())
			if len(b) == 0 {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.DisallowUnknownFields()
			var c record.Customer
			if err := dec.Decode(&c); err != nil {
				return nil, fmt.Errorf("decoding line %d: %w", line, err)
			}
			out = append(out, c)
		}
	default:
		return nil, errUnsupportedMedia
	}
	if len(out) > maxCustomersRecords {
		return nil, fmt.Errorf("%d customers in one request; send at most %d", len(out), maxCustomersRecords)
	}
	if len(out) == 0 {
		return nil, errors.New("no customers in the request")
	}
	return out, nil
}
