package alert

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/earshothq/earshot/pipeline"
	"github.com/earshothq/earshot/privacy"
	"github.com/earshothq/earshot/record"
)

// Notifications quote people: mention authors and texts, prospects' names
// and addresses. In the notifications and deliveries topics each of these
// is sealed with the data key of the person it is about (package privacy),
// so `earshot customers forget` shreds it like their records:
//
//   - a mention (match, spike and digest lists): author, text and URL;
//   - a prospect of a digest: name, e-mails, handles, company, evidence;
//   - a notification about one prospect (prospect alerts, hand-offs): the
//     title, reason and prospect together.
//
// Opening drops a shredded mention or digest prospect from its list; a
// shredded one-prospect notification is not delivered at all. Each process
// also drops them from memory when the key's tombstone arrives (forget).
// Without a keyring (no privacy.secret) nothing is sealed.

// notificationSealer seals and opens notifications with kr (nil: as is);
// ensure stores a key for a person whose key is not loaded and who was not
// erased (a key this process has not read yet, or no record sealed yet).
type notificationSealer struct {
	kr     *privacy.Keyring
	ensure func(ctx context.Context, subject string) error
}

func newNotificationSealer(k *pipeline.Kafka) notificationSealer {
	return notificationSealer{kr: k.Keyring(), ensure: k.EnsureKey}
}

// usable says whether sub can seal: it has a key, or gets one unless the
// person was erased.
func (s notificationSealer) usable(ctx context.Context, sub string) (bool, error) {
	switch {
	case s.kr.Has(sub):
		return true, nil
	case s.kr.Erased(sub) || s.ensure == nil:
		return false, nil
	}
	if err := s.ensure(ctx, sub); err != nil {
		return false, err
	}
	return true, nil
}

type sealedMention struct {
	Author string `json:"author,omitempty"`
	Text   string `json:"text"`
	URL    string `json:"url,omitempty"`
}

type sealedProspect struct {
	Name     string                    `json:"name,omitempty"`
	Emails   []string                  `json:"emails,omitempty"`
	Handles  []record.Handle           `json:"handles,omitempty"`
	Company  string                    `json:"company,omitempty"`
	Evidence []record.ProspectEvidence `json:"evidence,omitempty"`
}

type sealedNotification struct {
	Title    string                   `json:"title"`
	Reason   string                   `json:"reason"`
	Prospect *record.NotifiedProspect `json:"prospect,omitempty"`
}

// prospectIdentities lists a prospect's identity keys, strongest first.
func prospectIdentities(p *record.Prospect) []string {
	var out []string
	for _, e := range p.Emails {
		out = append(out, record.AuthorKey("", record.Author{Email: e}))
	}
	for _, ph := range p.Phones {
		out = append(out, record.AuthorKey("", record.Author{Phone: ph}))
	}
	for _, h := range p.Handles {
		out = append(out, record.AuthorKey(h.Platform, record.Author{Platform: h.Platform, Handle: h.Handle}))
	}
	for _, u := range p.ProfileURLs {
		out = append(out, record.AuthorKey("", record.Author{ProfileURL: u}))
	}
	return out
}

// subjectOf picks the subject to seal a prospect with: the one it was
// sealed with before (opened notifications know it), else the first of its
// identities with a data key, else the first one (given a key) when none of
// them was erased. false: the prospect's person was erased.
func (s notificationSealer) subjectOf(ctx context.Context, known string, identities []string) (string, bool, error) {
	if known != "" {
		ok, err := s.usable(ctx, known)
		return known, ok, err
	}
	for _, id := range identities {
		if sub := s.kr.Subject(id); s.kr.Has(sub) {
			return sub, true, nil
		}
	}
	for _, id := range identities {
		if s.kr.Erased(s.kr.Subject(id)) {
			return "", false, nil
		}
	}
	if len(identities) == 0 {
		return "", false, nil
	}
	sub := s.kr.Subject(identities[0])
	ok, err := s.usable(ctx, sub)
	return sub, ok, err
}

// seal returns a copy of n for the topics. ErrShredded: n is about one
// person who has no key (erased): write nothing.
func (s notificationSealer) seal(ctx context.Context, n *record.Notification) (*record.Notification, error) {
	if s.kr == nil || n.Sealed != nil {
		return n, nil
	}
	c := *n
	if c.Prospect != nil {
		sub, ok, err := s.subjectOf(ctx, c.Subject, c.Prospect.Identities)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("sealing notification %s: %w", n.ID, privacy.ErrShredded)
		}
		b, err := json.Marshal(sealedNotification{Title: c.Title, Reason: c.Reason, Prospect: c.Prospect})
		if err != nil {
			return nil, err
		}
		if c.Sealed, err = s.kr.SealExisting(sub, b); err != nil {
			return nil, fmt.Errorf("sealing notification %s: %w", n.ID, err)
		}
		c.Subject, c.Title, c.Reason, c.Prospect = sub, "", "", nil
	}
	var err error
	if c.Mentions, err = s.sealMentions(ctx, c.Mentions); err != nil {
		return nil, err
	}
	if c.Digest != nil {
		d := *c.Digest
		if d.TopMentions, err = s.sealMentions(ctx, d.TopMentions); err != nil {
			return nil, err
		}
		d.Prospects = nil
		for _, p := range c.Digest.Prospects {
			sub, ok, err := s.subjectOf(ctx, p.Subject, p.Identities)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue // erased, or known by nothing sealable: not listed
			}
			b, err := json.Marshal(sealedProspect{Name: p.Name, Emails: p.Emails, Handles: p.Handles, Company: p.Company, Evidence: p.Evidence})
			if err != nil {
				return nil, err
			}
			v, err := s.kr.SealExisting(sub, b)
			if errors.Is(err, privacy.ErrShredded) {
				continue
			}
			if err != nil {
				return nil, err
			}
			p.Subject, p.Sealed = sub, v
			p.Name, p.Emails, p.Handles, p.Company, p.Evidence, p.Identities = "", nil, nil, "", nil, nil
			d.Prospects = append(d.Prospects, p)
		}
		c.Digest = &d
	}
	return &c, nil
}

// sealMentions seals each mention with its author's key; a mention
// without a subject (no author identity) stays as is, one whose author was
// erased is left out.
func (s notificationSealer) sealMentions(ctx context.Context, ms []record.NotifiedMention) ([]record.NotifiedMention, error) {
	if ms == nil {
		return nil, nil
	}
	out := make([]record.NotifiedMention, 0, len(ms))
	for _, m := range ms {
		if m.Subject == "" || m.Sealed != nil {
			out = append(out, m)
			continue
		}
		if ok, err := s.usable(ctx, m.Subject); err != nil {
			return nil, err
		} else if !ok {
			continue // its author was erased
		}
		b, err := json.Marshal(sealedMention{Author: m.Author, Text: m.Text, URL: m.URL})
		if err != nil {
			return nil, err
		}
		v, err := s.kr.SealExisting(m.Subject, b)
		if errors.Is(err, privacy.ErrShredded) {
			continue
		}
		if err != nil {
			return nil, err
		}
		m.Sealed, m.Author, m.Text, m.URL = v, "", "", ""
		out = append(out, m)
	}
	return out, nil
}

// open reverses seal in place. ErrShredded: n is about one person who was
// erased; it must not be delivered or listed. Other shredded parts are
// dropped from their lists.
func (s notificationSealer) open(n *record.Notification) error {
	if n.Sealed != nil {
		b, err := s.openValue(n.Sealed)
		if err != nil {
			return fmt.Errorf("opening notification %s: %w", n.ID, err)
		}
		var v sealedNotification
		if err := json.Unmarshal(b, &v); err != nil {
			return fmt.Errorf("decoding notification %s: %w", n.ID, err)
		}
		n.Title, n.Reason, n.Prospect, n.Sealed = v.Title, v.Reason, v.Prospect, nil
	}
	var err error
	if n.Mentions, err = s.openMentions(n.Mentions); err != nil {
		return err
	}
	if n.Digest != nil {
		d := *n.Digest
		if d.TopMentions, err = s.openMentions(d.TopMentions); err != nil {
			return err
		}
		d.Prospects = nil
		for _, p := range n.Digest.Prospects {
			if p.Sealed != nil {
				b, err := s.openValue(p.Sealed)
				if errors.Is(err, privacy.ErrShredded) {
					continue
				}
				var v sealedProspect
				if err == nil {
					err = json.Unmarshal(b, &v)
				}
				if err != nil {
					return fmt.Errorf("opening a prospect of notification %s: %w", n.ID, err)
				}
				p.Name, p.Emails, p.Handles, p.Company, p.Evidence, p.Sealed = v.Name, v.Emails, v.Handles, v.Company, v.Evidence, nil
			}
			d.Prospects = append(d.Prospects, p)
		}
		n.Digest = &d
	}
	return nil
}

func (s notificationSealer) openMentions(ms []record.NotifiedMention) ([]record.NotifiedMention, error) {
	if ms == nil {
		return nil, nil
	}
	out := make([]record.NotifiedMention, 0, len(ms))
	for _, m := range ms {
		if m.Sealed != nil {
			b, err := s.openValue(m.Sealed)
			if errors.Is(err, privacy.ErrShredded) {
				continue
			}
			var v sealedMention
			if err == nil {
				err = json.Unmarshal(b, &v)
			}
			if err != nil {
				return nil, fmt.Errorf("opening mention %s of a notification: %w", m.ID, err)
			}
			m.Author, m.Text, m.URL, m.Sealed = v.Author, v.Text, v.URL, nil
		}
		out = append(out, m)
	}
	return out, nil
}

func (s notificationSealer) openValue(v []byte) ([]byte, error) {
	if s.kr == nil {
		return nil, errors.New("the notification is sealed and this process has no privacy.secret")
	}
	return s.kr.OpenValue(v)
}

// forget returns n without what it holds of subject (in memory, after
// their key was erased); n itself is not changed. whole: n is about that
// person and must go; changed: a list lost an entry.
func forget(n record.Notification, subject string) (_ record.Notification, whole, changed bool) {
	if n.Subject == subject {
		return n, true, true
	}
	keep := func(ms []record.NotifiedMention) []record.NotifiedMention {
		var out []record.NotifiedMention
		for _, m := range ms {
			if m.Subject == subject {
				changed = true
				continue
			}
			out = append(out, m)
		}
		return out
	}
	n.Mentions = keep(n.Mentions)
	if n.Digest != nil {
		d := *n.Digest
		d.TopMentions = keep(d.TopMentions)
		d.Prospects = nil
		for _, p := range n.Digest.Prospects {
			if p.Subject == subject {
				changed = true
				continue
			}
			d.Prospects = append(d.Prospects, p)
		}
		n.Digest = &d
	}
	return n, false, changed
}
