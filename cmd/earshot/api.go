package main

import (
	"context"
	"errors"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/customerfile"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web"
)

// apiRoles opens the search backend and mounts the JSON API on srv.
func (h *hub) apiRoles(srv *web.Server) ([]role, error) {
	b, err := h.searchBackend(context.Background())
	if err != nil {
		return nil, err
	}
	srv.Handle("/api/", web.SearchHandler(b, h.logger))
	// CRMs push customers here; the answer waits for Kafka's ack.
	norm := identity.NewNormalizer(h.cfg.Enrich.Identity)
	validate := func(c *record.Customer) []string { return customerfile.Validate(c, norm) }
	producer := h.kafka.NewProducer("customers-api", 0)
	srv.Handle("POST /api/customers", web.CustomersHandler(producer, h.kafka.Topics(), validate, h.logger))
	srv.AddCheck("search", func(ctx context.Context) error {
		// A lookup that must come back "not found" proves the backend answers.
		if _, err := b.GetMention(ctx, "readiness-probe"); err != nil && !errors.Is(err, index.ErrNotFound) {
			return err
		}
		return nil
	})
	// The producer lives as long as the listener; its role closes it once the
	// HTTP role (an earlier phase) has stopped taking requests.
	return []role{{name: "customers-api", run: func(ctx context.Context) error {
		<-ctx.Done()
		return producer.Close()
	}}}, nil
}
