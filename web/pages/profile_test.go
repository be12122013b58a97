package pages_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/index"
	"github.com/earshothq/earshot/index/bleve"
	"github.com/earshothq/earshot/record"
	"github.com/earshothq/earshot/web/pages"
	"github.com/earshothq/earshot/web/pages/pagestest"
)

// A customer's profile shows the sales work on the prospects they were
// before (converted into them), and only theirs.
func TestCustomerProfileShowsTheWorkFromBeforeTheyWereACustomer(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for id, customer := range map[string]string{"p-old": pagestest.CustomerID, "p-other": "c-someone-else"} {
		pr := &record.Prospect{Schema: 1, ID: id, Key: "email:" + id + "@example.pl", Name: "Lead " + id, Status: record.ProspectConverted, CustomerID: customer}
		if errs := h.stores.Backend.UpsertProfiles(ctx, []*index.Profile{index.ProspectProfile(pr)}); errs[0] != nil {
			t.Fatal(errs[0])
		}
		for _, step := range []struct {
			path string
			form url.Values
		}{{"/prospects/" + id + "/stage", url.Values{"stage": {"qualified"}}}, {"/prospects/" + id + "/notes", url.Values{"text": {"Note on " + id + " <b>bold</b>"}}}} {
			if code, body, _ := h.post(t, step.path, step.form); code != http.StatusSeeOther {
				t.Fatalf("%s = %d %s", step.path, code, body)
			}
		}
	}
	if err := h.stores.Backend.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	_, body, _ := h.get(t, "/people/customer:"+pagestest.CustomerID)
	if !strings.Contains(body, "Sales work from before they were a customer") || !strings.Contains(body, `href="/people/prospect:p-old"`) ||
		!strings.Contains(body, "Note on p-old &lt;b&gt;bold&lt;/b&gt;") || !strings.Contains(body, `data-to="qualified"`) {
		t.Errorf("the customer's profile lacks the earlier lead's work (or shows its note unescaped)")
	}
	if strings.Contains(body, "p-other") {
		t.Errorf("another customer's earlier lead is shown")
	}
	if _, body, _ := h.get(t, "/people/prospect:"+pagestest.ProspectID); strings.Contains(body, "Sales work from before") {
		t.Errorf("a prospect's profile shows the customers' section")
	}
}

// A profile's mentions do not link to the profile they are shown on; the
// same mention on the mentions page does.
func TestProfileMentionsDoNotLinkBackToTheirOwnProfile(t *testing.T) {
	h := newHarness(t)
	self := `<p class="person"><a href="/people/customer:` + pagestest.CustomerID + `">`
	_, profile, _ := h.get(t, "/people/customer:"+pagestest.CustomerID)
	_, listing, _ := h.get(t, "/mentions?period=all&filter=customer:"+pagestest.CustomerID)
	if !strings.Contains(profile, `class="mention `) || strings.Contains(profile, self) {
		t.Errorf("the customer's profile lists no mention, or links its mentions back to itself")
	}
	if !strings.Contains(listing, self) {
		t.Errorf("the mentions page lost the link to the customer's profile")
	}
}

// BenchmarkCustomerProfileWorkedProspects is one view of a customer's
// profile while sales have worked on n prospects (one of them converted
// into this customer): the section on their earlier work reads the whole
// work table and every worked-on prospect's profile.
//
//	go test -run '^$' -bench CustomerProfileWorkedProspects -benchtime 20x ./web/pages
func BenchmarkCustomerProfileWorkedProspects(b *testing.B) {
	for _, n := range []int{0, 1_000, 10_000} {
		b.Run(fmt.Sprintf("worked=%d", n), func(b *testing.B) {
			idx, err := bleve.Open(bleve.Config{InMemory: true}, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer idx.Close()
			ctx := context.Background()
			if _, err := pagestest.Seed(ctx, idx, time.Now().UTC()); err != nil {
				b.Fatal(err)
			}
			st := pagestest.NewStores(idx)
			d := st.Deps()
			var profiles []*index.Profile
			for i := range n {
				id := fmt.Sprintf("p-w%05d", i)
				customer := "c-other"
				if i == n/2 {
					customer = pagestest.CustomerID
				}
				profiles = append(profiles, index.ProspectProfile(&record.Prospect{Schema: 1, ID: id, Key: "email:" + id + "@example.pl",
					Status: record.ProspectConverted, CustomerID: customer}))
				if err := d.Prospects.SetStage(ctx, id, "qualified", "ola"); err != nil {
					b.Fatal(err)
				}
			}
			for i := 0; i < len(profiles); i += 1000 {
				for _, err := range idx.UpsertProfiles(ctx, profiles[i:min(i+1000, len(profiles))]) {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			p, err := pages.New(d)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Shutdown()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				p.ServeHTTP(rec, httptest.NewRequest("GET", "/people/customer:"+pagestest.CustomerID, nil))
				if rec.Code != http.StatusOK || (n > 0) != strings.Contains(rec.Body.String(), "Sales work from before") {
					b.Fatalf("profile = %d", rec.Code)
				}
			}
		})
	}
}
