// Package customerfile reads customer and lead files (CSV or JSONL) into
// customer records, with a configurable column mapping and row-level
// validation: every bad row is reported with its line number and reasons,
// every good row is kept.
package customerfile

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/earshothq/earshot/enrich/identity"
)

// Config says how to read a file.
type Config struct {
	// Format is "csv", "jsonl" or "auto" (by file extension: .csv, .tsv,
	// .jsonl, .ndjson, .json).
	Format string `yaml:"format"`
	// Delimiter of CSV cells: ",", ";", "\t" or "auto" (guessed from the header line).
	Delimiter string `yaml:"delimiter"`
	// ListSeparator separates several values in one cell (two emails).
	ListSeparator string `yaml:"list_separator"`
	// Mapping maps record fields to the file's column names (CSV header or
	// JSON key), e.g. {email: "E-mail address", postal_code: "Kod"}.
	// Unmapped fields are found by common names in several languages.
	Mapping map[string]string `yaml:"mapping"`
	// Unmapped says what to do with columns no field takes: "attributes"
	// keeps them as custom attributes, "ignore" drops them.
	Unmapped string `yaml:"unmapped"`
	// RequireID makes a row without an id a bad row (customer files);
	// otherwise a row without one is named "line:N" (lead files).
	RequireID bool `yaml:"require_id"`
	// Lenient leaves unreadable values (a mistyped date, a broken email)
	// out of the row with a warning instead of rejecting the row: for lead
	// lists, where the rest of the row can still be matched.
	Lenient bool `yaml:"lenient"`
}

// DefaultConfig reads customer files: format and delimiter guessed, ";"
// between several values of a cell, unknown columns kept as attributes.
func DefaultConfig() Config {
	return Config{Format: "auto", Delimiter: "auto", ListSeparator: ";", Unmapped: "attributes", RequireID: true}
}

// Validate reports every problem in c.
func (c Config) Validate() error {
	var errs []error
	switch c.Format {
	case "auto", "csv", "jsonl":
	default:
		errs = append(errs, fmt.Errorf("format must be auto, csv or jsonl, got %q", c.Format))
	}
	switch c.Delimiter {
	case "auto", ",", ";", "\t", "|":
	default:
		errs = append(errs, fmt.Errorf("delimiter must be auto, \",\", \";\", \"\\t\" or \"|\", got %q", c.Delimiter))
	}
	if c.ListSeparator == "" {
		errs = append(errs, errors.New("list_separator must not be empty"))
	} else if c.ListSeparator == c.Delimiter {
		errs = append(errs, fmt.Errorf("list_separator %q must differ from the delimiter", c.ListSeparator))
	}
	if c.Unmapped != "attributes" && c.Unmapped != "ignore" {
		errs = append(errs, fmt.Errorf("unmapped must be attributes or ignore, got %q", c.Unmapped))
	}
	for target, col := range c.Mapping {
		if !knownTarget(target) {
			errs = append(errs, fmt.Errorf("mapping.%s: unknown field (known: %s, consent.<name>, attr.<name>)", target, strings.Join(targetNames(), ", ")))
		}
		if strings.TrimSpace(col) == "" {
			errs = append(errs, fmt.Errorf("mapping.%s: empty column name", target))
		}
	}
	return errors.Join(errs...)
}

// formatOf resolves "auto" by the file name.
func (c Config) formatOf(name string) (string, error) {
	if c.Format != "auto" && c.Format != "" {
		return c.Format, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".tsv", ".txt":
		return "csv", nil
	case ".jsonl", ".ndjson", ".json":
		return "jsonl", nil
	}
	return "", fmt.Errorf("cannot tell the format of %q from its extension: set format to csv or jsonl", name)
}

// synonyms are the column names each field is found under when the
// mapping does not name one, folded (lower-case ASCII, "_" between words).
var synonyms = map[string][]string{
	"id":             {"id", "customer_id", "customerid", "client_id", "clientid", "crm_id", "external_id", "lead_id", "contact_id", "rec_id", "record_id", "kod_klienta", "klienta_id"},
	"first_name":     {"first_name", "firstname", "first", "given_name", "givenname", "forename", "imie", "vards", "primeiro_nome", "ming"},
	"last_name":      {"last_name", "lastname", "last", "surname", "family_name", "familyname", "nazwisko", "uzvards", "sobrenome", "apelido", "xing"},
	"name":           {"name", "full_name", "fullname", "contact_name", "imie_i_nazwisko", "vards_uzvards", "nome", "nome_completo", "xingming"},
	"names":          {"names", "other_names", "aliases", "aka"},
	"email":          {"email", "e_mail", "mail", "email_address", "adres_email", "e_pasts", "youxiang"},
	"emails":         {"emails", "email_addresses"},
	"phone":          {"phone", "telephone", "tel", "mobile", "phone_number", "mobile_phone", "telefon", "talrunis", "telefone", "celular", "dianhua", "shouji"},
	"phones":         {"phones", "phone_numbers"},
	"handle":         {"handle", "social", "social_handle", "username"},
	"handles":        {"handles", "social_handles"},
	"profile_url":    {"profile_url", "profile", "social_url"},
	"profile_urls":   {"profile_urls"},
	"company":        {"company", "organization", "organisation", "employer", "firma", "uznemums", "empresa", "gongsi"},
	"domain":         {"domain", "website", "www", "web", "company_domain", "strona"},
	"street":         {"street", "address", "address_street", "address_1", "address1", "address_line_1", "address_line1", "street_address", "ulica", "adres", "iela", "adrese", "rua", "morada", "endereco", "logradouro", "dizhi"},
	"address_2":      {"address_2", "address2", "address_line_2", "address_line2", "line2", "address_line2", "address_extra", "building", "complemento"},
	"house_number":   {"house_number", "housenumber", "street_number", "streetnumber", "house_no", "number", "nr", "numer_domu", "nr_domu", "maja_numurs", "numero", "menpai"},
	"city":           {"city", "town", "suburb", "locality", "address_city", "miasto", "miejscowosc", "pilseta", "cidade", "chengshi"},
	"region":         {"region", "state", "province", "county", "address_state", "address_region", "wojewodztwo", "novads", "estado", "uf", "distrito", "sheng"},
	"postal_code":    {"postal_code", "postcode", "zip", "zip_code", "zipcode", "address_postal_code", "kod_pocztowy", "pasta_indekss", "cep", "codigo_postal", "youbian"},
	"country":        {"country", "address_country", "kraj", "valsts", "pais", "guojia"},
	"date_of_birth":  {"date_of_birth", "dob", "birthdate", "birth_date", "birthday", "data_urodzenia", "dzimsanas_datums", "data_de_nascimento", "shengri"},
	"language":       {"language", "lang", "locale", "jezyk", "valoda", "idioma"},
	"segment":        {"segment", "tier", "customer_segment"},
	"lifetime_value": {"lifetime_value", "ltv", "clv", "customer_lifetime_value"},
	"last_purchase":  {"last_purchase", "purchases_last_purchase", "last_order", "last_order_date"},
	"orders":         {"orders", "purchases_orders", "order_count", "frequency"},
	"total":          {"total", "purchases_total", "revenue", "monetary", "total_spent"},
	"currency":       {"currency", "purchases_currency"},
	"updated_at":     {"updated_at", "modified", "last_modified"},
}

// consentPrefixes mark consent columns ("consent_email", Polish
// "zgoda_marketing", Latvian "piekrisana_", Portuguese "consentimento_").
var consentPrefixes = []string{"consent_", "zgoda_", "piekrisana_", "consentimento_"}

// platformColumns are columns holding one platform's handle.
var platformColumns = map[string]string{
	"mastodon": "mastodon", "twitter": "x", "x": "x", "instagram": "instagram", "facebook": "facebook",
	"linkedin": "linkedin", "tiktok": "tiktok", "bluesky": "bluesky", "github": "github", "telegram": "telegram",
	"youtube": "youtube", "threads": "threads",
}

func knownTarget(t string) bool {
	if _, ok := synonyms[t]; ok {
		return true
	}
	if _, ok := platformColumns[t]; ok {
		return true
	}
	return strings.HasPrefix(t, "consent.") && len(t) > 8 || strings.HasPrefix(t, "attr.") && len(t) > 5
}

func targetNames() []string {
	names := make([]string, 0, len(synonyms)+len(platformColumns))
	for t := range synonyms {
		names = append(names, t)
	}
	for t := range platformColumns {
		names = append(names, t)
	}
	sort.Strings(names)
	return names
}

// foldColumn folds a column name for matching: "E-mail Address" → "e_mail_address".
func foldColumn(s string) string {
	return strings.ReplaceAll(identity.FoldText(s), " ", "_")
}

// columnPlan says which record field each column fills.
type columnPlan struct {
	targets []string // per column; "" for an unmapped column
	headers []string
}

// plan assigns columns to fields: the explicit mapping first, then the
// synonyms, then platform names; the rest are custom attributes or ignored.
func (c Config) plan(headers []string) (columnPlan, error) {
	p := columnPlan{targets: make([]string, len(headers)), headers: headers}
	taken := map[string]bool{}
	folded := make([]string, len(headers))
	for i, h := range headers {
		folded[i] = foldColumn(h)
	}
	var errs []error
	for _, target := range sortedKeys(c.Mapping) {
		col := c.Mapping[target]
		i := slices.Index(headers, col)
		if i < 0 {
			i = slices.Index(folded, foldColumn(col))
		}
		if i < 0 {
			errs = append(errs, fmt.Errorf("mapping.%s: column %q is not in the file (columns: %s)", target, col, strings.Join(headers, ", ")))
			continue
		}
		p.targets[i] = target
		taken[target] = true
	}
	for i, f := range folded {
		if p.targets[i] != "" {
			continue
		}
		for _, target := range sortedKeys(synonyms) {
			if !taken[target] && slices.Contains(synonyms[target], f) {
				p.targets[i] = target
				taken[target] = true
				break
			}
		}
		if p.targets[i] == "" {
			if _, ok := platformColumns[f]; ok && !taken[f] {
				p.targets[i] = f
				taken[f] = true
			}
		}
		if p.targets[i] == "" {
			consent := ""
			for _, pre := range consentPrefixes {
				if strings.HasPrefix(f, pre) && len(f) > len(pre) {
					consent = strings.TrimPrefix(f, pre)
					break
				}
			}
			switch {
			case consent != "":
				p.targets[i] = "consent." + consent
			case strings.HasPrefix(f, "attributes_"):
				p.targets[i] = "attr." + strings.TrimPrefix(headers[i], "attributes.")
			case c.Unmapped == "attributes" && strings.TrimSpace(headers[i]) != "":
				p.targets[i] = "attr." + strings.TrimSpace(headers[i])
			}
		}
	}
	return p, errors.Join(errs...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
