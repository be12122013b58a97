package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/earshothq/earshot/enrich/identity"
	"github.com/earshothq/earshot/enrich/identity/crm"
	"github.com/earshothq/earshot/enrich/identity/customerfile"
	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web"
)

// apiRoles opens the search backend and mounts the web app (the gate, the
// JSON API and the pages) on srv.
func (h *hub) apiRoles(srv *web.Server) ([]role, error) {
	b, err := h.searchBackend(h.startCtx)
	if err != nil {
		return nil, err
	}
	// CRMs push customers here; the answer waits for Kafka's ack.
	norm := identity.NewNormalizer(h.cfg.Enrich.Identity)
	validate := func(c *record.Customer) []string { return customerfile.Validate(c, norm) }
	producer := h.kafka.NewProducer("customers-api", 0)
	app, roles, err := h.openWebApp(srv, b)
	if err != nil {
		producer.Close()
		return nil, err
	}
	app.Customers = web.CustomersDeps{Publisher: producer, Topics: h.kafka.Topics(), Validate: validate}
	reviews := crm.NewReviews(h.kafka, h.kafka.Topics(), 15*time.Minute, h.logger)
	admin := &webAdmin{kafka: h.kafka, pub: producer, norm: norm, search: b, reviews: reviews}
	app.Importer, app.Eraser, app.Reviewer, app.Exporter = admin, admin, admin, admin
	if err := srv.Mount(app); err != nil {
		producer.Close()
		return nil, err
	}
	// The pages' live streams end when the listener shuts down, instead of
	// holding the shutdown until its timeout.
	srv.ConfigureHTTP(func(hs *http.Server) { hs.RegisterOnShutdown(app.ShutdownPages) })
	srv.AddCheck("search", func(ctx context.Context) error {
		// A lookup that must come back "not found" proves the backend answers.
		if _, err := b.GetMention(ctx, "readiness-probe"); err != nil && !errors.Is(err, index.ErrNotFound) {
			return err
		}
		return nil
	})
	// The producer lives as long as the listener; its role closes it once the
	// HTTP role (an earlier phase) has stopped taking requests.
	return append(roles, role{name: "customers-api", run: func(ctx context.Context) error {
		<-ctx.Done()
		reviews.Close()
		return producer.Close()
	}}), nil
}
