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

// customerProblem is one rejected record of a request.
type customerProblem struct {
	Index    int      `json:"index"` // 0-based position in the request
	ID       string   `json:"id,omitempty"`
	Problems []string `json:"problems"`
}

type customersRejected struct {
	Error   string            `json:"error"`
	Records []customerProblem `json:"records"`
}

// CustomersHandler serves POST /api/customers, the upsert a CRM pushes:
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
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: "use POST to upsert customers"})
			return
		}
		customers, err := decodeCustomers(w, r)
		if err != nil {
			code := http.StatusBadRequest
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				code = http.StatusRequestEntityTooLarge
			case errors.Is(err, errUnsupportedMedia):
				code = http.StatusUnsupportedMediaType
			}
			writeJSON(w, code, apiError{Error: err.Error()})
			return
		}
		var rejected []customerProblem
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
				rejected = append(rejected, customerProblem{Index: i, ID: c.ID, Problems: problems})
			}
		}
		if len(rejected) > 0 {
			writeJSON(w, http.StatusUnprocessableEntity, customersRejected{
				Error:   fmt.Sprintf("%d of %d customers are invalid; nothing was written", len(rejected), len(customers)),
				Records: rejected,
			})
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
				writeJSON(w, http.StatusBadRequest, apiError{Error: fmt.Sprintf("record %d: %v", i, err)})
				return
			}
			outs = append(outs, pipeline.Output{Topic: topics.Customers(), Key: []byte(c.ID), Value: v})
			ids = append(ids, c.ID)
		}
		if err := pub.ProduceSync(r.Context(), outs...); err != nil {
			logger.Warn("customer upsert not acknowledged", "records", len(outs), "error", err)
			writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "writing customers to Kafka failed; retry the request: " + err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, customersResponse{Accepted: len(outs), IDs: ids, Topic: topics.Customers()})
	})
}

var errUnsupportedMedia = errors.New("send application/json (an object or an array) or application/x-ndjson")

// decodeCustomers reads one object, an array, or JSON Lines.
func decodeCustomers(w http.ResponseWriter, r *http.Request) ([]record.Customer, error) {
	mt := "application/json"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(ct); err != nil {
			return nil, errUnsupportedMedia
		}
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
