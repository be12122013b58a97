package analysis

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/earshothq/earshot/enrich/intent"
	"github.com/earshothq/earshot/enrich/textnorm"
)

// evaluateIntents runs the whole analysis (phrases, taxonomy context and
// sentiment) over a labelled set and counts per intent.
func evaluateIntents(t *testing.T, pattern string) (map[string]intent.PR, intent.Errors, int) {
	t.Helper()
	set, err := intent.ReadEvalSet(pattern)
	if err != nil {
		t.Fatal(err)
	}
	a := analyzer(t)
	prs := map[string]intent.PR{}
	errs := intent.Errors{}
	for _, lt := range set {
		got := map[string]bool{}
		for _, in := range a.AnalyzeText(textnorm.Clean(lt.Text), lt.Lang).Intents {
			got[in.Name] = true
		}
		want := map[string]bool{}
		for _, n := range lt.Intents {
			want[n] = true
		}
		for _, n := range intent.Names {
			pr := prs[n]
			switch {
			case got[n] && want[n]:
				pr.TP++
			case got[n]:
				pr.FP++
				errs[n] = append(errs[n], "FP "+lt.Lang+": "+lt.Text)
			case want[n]:
				pr.FN++
				errs[n] = append(errs[n], "FN "+lt.Lang+": "+lt.Text)
			}
			prs[n] = pr
		}
	}
	return prs, errs, len(set)
}

func reportIntents(t *testing.T, name string, prs map[string]intent.PR, errs intent.Errors, n int) {
	var b strings.Builder
	intent.WriteReport(&b, prs)
	t.Logf("%s: %d texts\n%s", name, n, b.String())
	if testing.Verbose() && printMissesOf(name, os.Getenv("INTENT_ERRORS")) {
		for _, in := range intent.Names {
			for _, e := range errs[in] {
				t.Logf("%s %s", in, e)
			}
		}
	}
}

// printMissesOf says whether the misses of set name are listed: INTENT_ERRORS=1
// lists every set's, a comma-separated list of set names only those (so a
// round can read its development sets without seeing a held-out set's misses).
func printMissesOf(name, env string) bool {
	if env == "1" {
		return true
	}
	return env != "" && slices.Contains(strings.Split(env, ","), name)
}

// TestIntentEvaluation reproduces the intent figures of the whole
// analysis on the sets written for Earshot (enrich/intent/testdata):
//   - eval_*.jsonl, 416 texts in 8 languages with hard negatives, the
//     development set the phrase lists were written against;
//   - holdout/, 128 texts written after the first lists were frozen
//     (measured once, then used to generalise the cues, so optimistic;
//     since the fourteenth round its 7 searches for "a good hairdresser"
//     are labelled buying, like a search for a provider in holdouts 9-14);
//   - holdout2/, 96 texts written before the cues were generalised and
//     measured once before sentiment evidence was reweighted;
//   - holdout3/, 64 texts committed before that last round and measured
//     once after it;
//   - holdout4/, 112 texts in 8 languages (14 distinct scenarios per
//     language, not translations), committed before the cue classes and
//     rules were written and measured once after them;
//   - holdout5/, 100 texts in 8 languages (purchase inquiries among price
//     complaints, past purchases, hypotheticals, refusals, refund and
//     support questions, purchases not of ours), committed before the
//     buying-precision round (analysis2) and measured once after it;
//   - holdout6/, 100 texts in 8 languages, committed before the third
//     round and measured once after its first changes;
//   - holdout7/, 124 texts in en, pl, lv, zh, pt (58 purchase inquiries
//     among price complaints, returns, reselling, past purchases and
//     questions about a machine already owned), committed before the
//     fourth round and measured once before it changed anything;
//   - holdout8/, 50 texts in en, pl, lv, zh, pt (25 purchase inquiries),
//     written after the fourth round's changes and measured once on them
//     (buying 1.000/0.560); its errors were read in the fifth round;
//   - holdout9/, 96 texts in all 8 languages (49 purchase inquiries of
//     many businesses: services, software, food, travel, repairs,
//     clothing, B2B), committed before the fifth round changed anything
//     and measured once after it;
//   - holdout10/, 96 texts in all 8 languages (48 purchase inquiries of
//     businesses no earlier set used), committed and measured once
//     before the families it showed missing (seat, lead) were written;
//   - holdout11/, 96 texts in all 8 languages (48 purchase inquiries of
//     businesses no earlier set used: a tattoo studio, piano tuning,
//     solar panels, printing, boat hire, kennels, scaffolding, tutors, a
//     wedding venue; 48 hard negatives: price complaints, jobs, parking,
//     reselling, hypotheticals, questions about things bought,
//     newsletters), committed before the eleventh round's rules and
//     measured once before they changed anything;
//   - holdout12/, 96 texts in all 8 languages (48 purchase inquiries of
//     businesses no earlier set used, in slang, typos, without question
//     marks, B2B; 48 hard negatives), committed alone and measured once
//     on the unchanged rules (buying 0.960/0.500) before the twelfth
//     round read it. A learned layer trained on every other set was
//     measured on it once too (the same buying decisions) and not
//     shipped; holdout12 is kept out of every training set.
//   - holdout13/, 96 texts in all 8 languages (48 purchase inquiries of
//     businesses no earlier set used, a third stated needs or price asks
//     without a question mark; 48 hard negatives: faults of things bought,
//     job seeking, lost property, data and animal-testing questions, price
//     complaints, reselling), committed alone and measured once on the
//     unchanged rules (buying 0.929/0.542) before the thirteenth round read
//     it and holdout12's remaining misses;
//   - holdout14/, 96 texts in all 8 languages (40 purchase inquiries of
//     businesses no earlier set used; 32 complaints: price complaints
//     naming no product, problems asked as questions, refund and return
//     wishes; 24 hard negatives: praise, news, questions about things
//     owned, reselling, job ads), committed alone and measured once on the
//     unchanged rules (buying 0.966/0.700, complaint 1.000/0.375) before
//     the fourteenth round read it;
//   - holdout15/, 96 texts in all 8 languages (40 purchase inquiries of
//     businesses no earlier set used; 32 complaints: price complaints in
//     wordings the robbery class does not list, problems asked as
//     questions outside the fourteenth round's rules, refund and return
//     wishes; 24 hard negatives), committed alone and measured once on the
//     unchanged rules (buying 1.000/0.600, complaint 1.000/0.312) before
//     the fifteenth round read it;
//   - holdout16/, 96 texts in all 8 languages (40 purchase inquiries of
//     businesses no earlier set used; 32 complaints: price complaints in
//     wordings neither the robbery nor the dear/mock classes list,
//     problems asked as questions outside the fourteenth and fifteenth
//     rounds' rules, refund and return wishes; 24 hard negatives),
//     committed alone and measured once on the unchanged rules (buying
//     0.967/0.725, complaint 1.000/0.250) before the sixteenth round read
//     it;
//   - holdout17/, 96 texts in all 8 languages (40 purchase inquiries of
//     businesses no earlier set used; 32 complaints: price complaints
//     naming no product outside the robbery, dear, mock and risen classes,
//     problems asked as questions outside the fourteenth to sixteenth
//     rounds' rules, refund and return wishes; 24 hard negatives),
//     committed alone and measured once on the unchanged rules (buying
//     1.000/0.600, complaint 1.000/0.438, support 0.200/0.167) before the
//     seventeenth round read it;
//   - holdout18/, 96 texts in all 8 languages (40 purchase inquiries, 32
//     complaints, 24 others, for a café chain, a bike shop, a telecom, a
//     software company, a hotel, a furniture store, a gym and a travel
//     agency), written without reading the rules or phrase lists, as
//     customers write, neither avoiding nor pleasing the rules' wordings,
//     committed alone and measured once on the unchanged rules (buying
//     1.000/0.650, complaint 1.000/0.500, churn_risk 1.000/0.875, praise
//     0 of 8): the least biased first reading we have; the eighteenth
//     round read it after;
//   - holdout19/, 96 texts in all 8 languages (40 purchase inquiries, 32
//     complaints, 24 others, for a bakery, a car dealer, a dental clinic,
//     an electronics shop, a language school, a florist, a cinema and a
//     moving company), written the same way without reading the rules,
//     committed alone and measured once on the unchanged rules (buying
//     1.000/0.800, complaint 1.000/0.312, churn_risk 1.000/0.500, praise
//     1 of 8): with holdout18's, the least biased first reading; the
//     nineteenth round read it after;
//   - holdout20/, 96 texts in all 8 languages for 12 businesses no
//     earlier set used (a car wash, a pet shop, a pharmacy, a concert
//     venue, a ski resort, an insurer, online courses, a wedding
//     photographer, a coworking space, a garden centre, IT services, a
//     plumber), written by another helper the same way, committed alone
//     and measured once on the unchanged rules (buying 0.931/0.675,
//     complaint 0.818/0.281, churn_risk 1.000/0.500, support 0.750/0.375);
//   - holdout21/, 96 texts in all 8 languages (40 purchase inquiries, 32
//     complaints, 24 others, for a bicycle courier, a hair salon, a
//     bookshop, a solar-panel installer, a yoga studio, a car rental, a
//     toy shop and a caterer), written the same way, committed alone and
//     measured once on the unchanged rules (buying 0.931/0.675, complaint
//     1.000/0.375, churn_risk 1.000/0.750, support 0.571/1.000): with
//     holdouts 18-20, the least biased first readings; the twentieth
//     round read both after;
//   - holdout22/, 96 texts in all 8 languages (40 purchase inquiries,
//     complaints and others for tandem skydiving, stump grinding, a photo
//     booth, archery, 3D printing, window tinting, chess coaching and
//     genealogy), written without opening the rules, committed alone and
//     measured once on the twenty-sixth round's rules (buying 0.972/0.875,
//     complaint 1.000/0.375, churn_risk 1.000/0.600): the first first
//     reading to meet the buying aim. Held out like written/test: after
//     the twenty-seventh round, its misses unread, buying 0.973/0.900
//     (36 of 40, 1 false), complaint 1.000/0.375; after the thirtieth,
//     0.974/0.925 (37 of 40);
//   - holdout23/, 96 texts in all 8 languages (40 purchase inquiries,
//     complaints and others for stained glass, an art bronze foundry,
//     powder coating, document shredding, dry ice, go-karts, rope access
//     and tape-to-digital transfer), written by a new writer without
//     opening the rules, committed alone and measured once on the
//     twenty-seventh round's rules: buying 0.919/0.850 (34 of 40, 3
//     false), complaint 0.889/0.250, churn_risk 1.000/0.250. The
//     twenty-eighth round read its misses (after: 0.974/0.925, flattered);
//   - holdout24/, 96 texts in all 8 languages (40 purchase inquiries,
//     complaints and others for crane hire, a recording studio,
//     trademark registration, boat storage, portable toilets, 3D
//     scanning, vinyl pressing and soundproofing), written by another
//     new writer the same way, committed before the twenty-eighth round
//     changed anything and measured once on the twenty-seventh round's
//     rules: buying 0.972/0.875 (35 of 40, 1 false), complaint
//     1.000/0.438. Held out: after the twenty-eighth round, its misses
//     unread, the same 0.972/0.875;
//   - holdout25/, 96 texts in all 8 languages (40 purchase inquiries,
//     complaints and others for fireworks, a wig salon, headstones, axe
//     throwing, bonsai, mini-golf, telescopes and a puppet theatre),
//     written without opening the rules, committed before the
//     twenty-ninth round and measured once on the twenty-eighth round's
//     rules: buying 0.969/0.775 (31 of 40, 1 false), complaint
//     1.000/0.312, churn_risk 1.000/0.133. Held out like written/test:
//     after the twenty-ninth round, its misses unread, the same; the
//     thirtieth round read them (after: 1.000/0.900, flattered);
//   - holdout26/, 96 texts in all 8 languages (40 purchase inquiries,
//     complaints and others for kitesurfing, ice-skating lessons, husky
//     rides, a solarium, a pinball arcade, lampshades, trophy engraving
//     and fountain pens), written during the thirtieth round by a helper
//     who opened no rule, and measured on the twenty-ninth round's rules
//     (its first reading: buying 0.970/0.800, 32 of 40, 1 false;
//     complaint 1.000/0.438) and after the thirtieth, which never read
//     it (0.971/0.825); the thirty-first round read its misses and
//     holdout24's (after: 1.000/0.925 and 1.000/0.950, flattered);
//   - holdout27/, 96 texts in all 8 languages (40 purchase inquiries,
//     complaints and others for segway and quad tours, office vending
//     machines, roller discos, walking tours, custom insoles, gravel
//     delivery and board-game cafés), written without opening the rules
//     and measured on the thirtieth round's rules (its first reading:
//     buying 1.000/0.825, 33 of 40; complaint 1.000/0.312) and after the
//     thirty-first, which never read it (the same); the thirty-third
//     read it (below);
//   - holdout28/, holdout29/ and holdout30/, 96 texts each in all 8
//     languages (40 purchase inquiries each, complaints and others, for
//     eight businesses each no set used: security cameras to pallet
//     racking and penetration tests; head-lice clinics to avian vets;
//     cider makers to velodromes), written side by side by three helpers
//     who opened no rule, and measured on the thirty-second round's
//     rules (first readings, buying: 0.941/0.800, 32 of 40, 2 false;
//     1.000/0.800; 0.970/0.800, 1 false); the thirty-third round read
//     the misses of holdout27-29 (after: 1.000/1.000, 1.000/0.925,
//     1.000/0.900, flattered); holdout30 held out (after: the same);
//   - holdout31/ and holdout32/, 96 texts each in all 8 languages (40
//     purchase inquiries each, for sixteen businesses no set used: probate
//     lawyers, invoice factoring, crop hail insurance; knitting yarn, coin
//     dealers, chocolate fountain hire), written side by side by two
//     helpers who opened no rule, and first read on the thirty-third
//     round's rules: buying 0.917/0.825 (3 false) and 0.900/0.900 (4
//     false); on the thirty-second round's rules the same and 0.897/0.875
//     (the thirty-third round, which never read them, found one more);
//     the thirty-fourth round read their misses (after: 1.000/0.950 and
//     1.000/1.000, flattered); holdout30 still held out (unchanged);
//   - holdout33/ and holdout34/, 96 texts each in all 8 languages (40
//     purchase inquiries each; data recovery, VoIP, light-aircraft
//     avionics; houseboats, hammams, a meadery), written side by side by
//     two helpers who opened no rule, first read on the thirty-fourth
//     round's rules: buying 0.914/0.800 (3 false) and 0.950/0.950 (2
//     false); on the thirty-second's 0.889/0.800 and 0.927/0.950, on the
//     thirty-third's 0.914/0.800 and 0.927/0.950 (rounds 33 and 34, which
//     never read them, made one false fewer each); the thirty-fifth round
//     read their misses (after: 1.000/0.975 and 1.000/1.000, flattered);
//   - holdout35/ and holdout36/, 96 texts each in all 8 languages (40
//     purchase inquiries each; silent disco hire, wall beds, telecare
//     pendants; fishmongers, milliners, canyoning guides), written side
//     by side by two helpers who opened no rule, first read on the
//     thirty-fifth round's rules: buying 0.972/0.875 (1 false) and
//     0.895/0.850 (4 false); on the thirty-second's 0.971/0.850 and the
//     same; the thirty-sixth round read their misses (after: 1.000/0.950
//     and 0.975/0.975, flattered), and holdout30, held out, went
//     0.970/0.800 -> 1.000/0.800 with it;
//   - holdout37/ and holdout38/, 96 texts each in all 8 languages (40
//     purchase inquiries each; laser eye surgery, CrossFit, safari tours,
//     a VPN; rebar, mini-digger hire, heating oil, CNC machining), written
//     side by side by two helpers who opened no rule, first read on the
//     thirty-sixth round's rules: buying 1.000/0.775 and 0.927/0.950 (3
//     false); on the thirty-second's 1.000/0.750 and 0.902/0.925; the
//     thirty-seventh round read their misses (after: 1.000/0.975 and
//     1.000/1.000, flattered);
//   - holdout39/ and holdout40/, 96 texts each in all 8 languages (40
//     purchase inquiries each; thatchers, organ builders, mole catchers,
//     alpaca trekking; passport photos, gas cylinders, tool hire, ironing),
//     written side by side by two helpers who opened no rule, first read
//     on the thirty-seventh round's rules: buying 0.897/0.875 (4 false)
//     and 0.971/0.850; on the thirty-second's 0.895/0.850 and
//     0.943/0.825; the thirty-eighth round read their misses (after:
//     1.000/0.975 and 1.000/0.925, flattered);
//   - holdout41/ and holdout42/, 96 texts each in all 8 languages (40
//     purchase inquiries each; coopers, chair caners, a bellfounder; VR
//     arcades, virtual offices, car sharing), written side by side by two
//     helpers who opened no rule, first read on the thirty-eighth round's
//     rules: buying 0.970/0.800 and 0.886/0.775 (4 false), the same on
//     the thirty-second's. Not read: the clean measure of the stop's last
//     rules;
//   - holdout43/ and holdout44/, 96 texts each in all 8 languages (40
//     purchase inquiries each; hay and straw, log-splitter hire, ewe
//     scanning; ham-radio courses, fly tying, bridge lessons), written
//     side by side by two helpers who opened no rule, first read on the
//     rules of 8a212f2 (the thirty-eighth round's and the first mends of
//     the thirty-ninth): buying 0.947/0.900 (2 false) and 0.971/0.850;
//     the thirty-ninth round read their misses (after: 1.000/1.000 and
//     0.975/0.975, flattered);
//   - holdout45/ and holdout46/, 96 texts each in all 8 languages (40
//     purchase inquiries each; tachograph calibration, horse-box hire, DPF
//     cleaning; grease traps, frying oil, hotel toiletries), written side
//     by side with holdout43/44 by two helpers who opened no rule, first
//     read on the thirty-ninth round's rules: buying 0.971/0.850 and
//     0.923/0.900 (3 false), the same on the thirty-eighth's; the
//     fortieth round read their misses (after: 1.000/1.000 and
//     0.929/0.975, flattered);
//   - holdout47/ and holdout48/, 96 texts each in all 8 languages (40
//     purchase inquiries each; apostilles, debt collection, thesis
//     editing; scalp micropigmentation, corsetry, sneaker cleaning),
//     written side by side by two helpers who opened no rule, first read
//     on the fortieth round's rules: buying 0.943/0.825 (2 false) and
//     0.974/0.950; on the thirty-eighth's 0.917/0.825 and 0.974/0.950;
//     the forty-first round read their misses (after: 0.949/0.925 and
//     1.000/1.000, flattered);
//   - holdout49/ and holdout50/, 96 texts each in all 8 languages (40
//     purchase inquiries each; damp-proofing, knotweed, gabion walls;
//     truffle hunts, coasteering, flyboarding), written side by side by
//     two helpers who opened no rule, first read on the forty-first
//     round's rules: buying 0.973/0.900 and 0.950/0.950, the same on the
//     thirty-eighth's. Not read. The eight sets of the stop pooled on
//     first reading: 285 found, 13 false, 35 missed (0.956/0.891); the
//     stop's first rules on them: 285, 14, 35 (0.953/0.891);
//   - holdout51/ and holdout52/, 96 texts each in all 8 languages (40
//     purchase inquiries each; tongue-tie clinics, menopause clinics,
//     dementia day care; mechanical keyboards, globes, weathervanes),
//     written side by side by two helpers who opened no rule, first read
//     on the forty-first round's rules: buying 1.000/0.975 and
//     0.974/0.925, the same on the thirty-eighth's. Not read. The ten
//     sets of the stop pooled on first reading: 361 found, 14 false, 39
//     missed (0.963/0.903);
//   - written/dev/ and written/test/ (enrich/intent/written), 600 texts
//     each in all 8 languages, split by line parity from 1,200 written by
//     a coverage matrix without reading the rules (75 purchase inquiries
//     over 40+ kinds of business and 75 hard negatives per language):
//     our largest unbiased measure. On the twentieth round's rules dev
//     read buying 0.931/0.710 (complaint 0.949/0.303) and test
//     0.924/0.697 (complaint 0.923/0.200). The twenty-first round read
//     dev's misses only (after: 0.975/0.785, complaint 0.939/0.377 on
//     the sentiment model of the sentiment's eleventh round, flattered); test's misses are never read, and it measured
//     0.924/0.741 (complaint 0.923/0.200) after that round;
//   - written/dev2/, 400 texts (50 per language: 15 purchase inquiries, 35
//     hard negatives sharing words with purchases), written before the
//     twenty-second round opened the rules; first reading buying
//     0.701/0.858 (44 false purchases). That round read dev's and dev2's
//     misses (after: dev 0.980/0.815, dev2 0.964/0.900, flattered) and
//     measured test 0.926/0.754 (complaint 0.926/0.208 on the twelfth
//     sentiment round's model) after it, its misses unread;
//   - written/dev3/, 400 texts (50 per language: 30 purchase inquiries in
//     shapes other than a plain ask — replies under a post, reserve me
//     one, waiting lists, back in stock, DMs — and 20 hard negatives in
//     the same shapes), written before the twenty-third round opened the
//     rules; first reading buying 0.845/0.546 (24 false purchases). That
//     round read dev3's misses (after 0.936/0.787, flattered) and
//     measured test 0.934/0.764 (complaint 0.926/0.208) after it, its
//     misses unread;
//   - written/dev4/, 400 texts (50 per language: 25 purchase inquiries and
//     25 hard negatives where a social team meets them — ad comments,
//     reviews ending in a question, haggling, group chats, parents asking,
//     B2B emails; sarcasm, quoted asks, giveaways, spam, wifi and parking),
//     written before the twenty-fourth round opened the rules; first
//     reading buying 0.882/0.710 (19 false purchases). That round read
//     dev4's misses (after 0.983/0.865, flattered) and measured test
//     0.935/0.771 (complaint 0.926/0.208) after it, its misses unread;
//   - written/dev5/, 400 texts (50 per language: 30 purchase inquiries and
//     20 hard negatives by the coverage matrix over businesses no earlier
//     written set used — piano tuners, sea burials, blood test labs, skip
//     hire, pallets by the hundred), written before the twenty-fifth round
//     opened the rules; first reading buying 0.952/0.750 (9 false
//     purchases). That round read dev5's misses and those left on dev to
//     dev4 (after 0.991/0.879, flattered) and measured test 0.936/0.788
//     (complaint 0.926/0.208) after it, its misses unread;
//   - written/dev6/, 400 texts (50 per language: 20 purchase inquiries in
//     shapes rules miss — no question mark, bare wants, "wanted" ads, fares
//     asked to buy — and 30 hard negatives carrying the words of buying:
//     why-questions about prices, price news and exchange rates, job
//     seekers, people and lost things sought, one's own bill), written
//     before the twenty-sixth round opened the rules; first reading buying
//     0.761/0.556 (89 of 160, 28 false purchases), complaint 0.806/0.521.
//     That round read dev6's misses and those left on dev to dev5 (after
//     the twenty-sixth round 0.921/0.725, 116 of 160, 10 false; complaint
//     0.806/0.521; flattered) and measured test 0.933/0.795 (complaint
//     0.926/0.208) after it, its misses unread;
//   - written/dev7/, 400 texts (50 per language: 30 purchase inquiries and
//     20 hard negatives) by the coverage matrix over businesses no earlier
//     written set used (falconry, typewriter repair, doulas, a bagpiper),
//     written before the twenty-seventh round opened the rules; first
//     reading buying 0.949/0.696 (167 of 240, 9 false purchases). That
//     round read dev7's misses and those left on dev to dev6 (after the
//     twenty-seventh round 0.980/0.800, 192 of 240, 4 false; complaint
//     0.913/0.292; flattered) and measured test 0.933/0.801 (238 of 297,
//     17 false; complaint 0.926/0.208) after it, its misses unread;
//   - written/dev8/, 400 texts (50 per language: 25 purchase inquiries and
//     25 hard negatives) by the coverage matrix over businesses no earlier
//     set used (curling, kiln firing, sound baths, stilt walkers …),
//     written before the twenty-ninth round opened the rules; first
//     reading buying 0.953/0.820 (164 of 200, 8 false purchases). That
//     round read dev8's misses (after 1.000/0.905, flattered) and
//     measured test 0.934/0.811 (241 of 297, 17 false) and holdout25
//     after it, their misses unread.
//
// Run with -v for the tables (INTENT_ERRORS=1 lists the misses of every
// set; INTENT_ERRORS=written/dev5,holdout21 those of the sets named).
func TestIntentEvaluation(t *testing.T) {
	dev, devErrs, n := evaluateIntents(t, "../intent/testdata/eval_*.jsonl")
	reportIntents(t, "development set", dev, devErrs, n)
	if b := dev[intent.Buying]; b.Precision() < 0.90 || b.Recall() < 0.70 {
		t.Errorf("development set: buying precision %.3f recall %.3f; want >= 0.90 and >= 0.70", b.Precision(), b.Recall())
	}
	for _, set := range []string{"holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7", "holdout8", "holdout9", "holdout10", "holdout11", "holdout12", "holdout13", "holdout14", "holdout15", "holdout16", "holdout17", "holdout18", "holdout19", "holdout20", "holdout21", "holdout22", "holdout23", "holdout24", "holdout25", "holdout26", "holdout27", "holdout28", "holdout29", "holdout30", "holdout31", "holdout32", "holdout33", "holdout34", "holdout35", "holdout36", "holdout37", "holdout38", "holdout39", "holdout40", "holdout41", "holdout42", "holdout43", "holdout44", "holdout45", "holdout46", "holdout47", "holdout48", "holdout49", "holdout50", "holdout51", "holdout52"} {
		prs, errs, n := evaluateIntents(t, "../intent/testdata/"+set+"/*.jsonl")
		reportIntents(t, set, prs, errs, n)
		if b := prs[intent.Buying]; b.Precision() < 0.85 {
			t.Errorf("%s: buying precision %.3f; want >= 0.85", set, b.Precision())
		}
	}
	for _, set := range []string{"written/dev", "written/dev2", "written/dev3", "written/dev4", "written/dev5", "written/dev6", "written/dev7", "written/dev8", "written/test"} {
		prs, errs, n := evaluateIntents(t, "../intent/"+set+"/*.jsonl")
		reportIntents(t, set, prs, errs, n)
		// written/dev6 (240 of its 400 texts hard negatives) read 0.761 first
		// and had a floor of 0.75 until the twenty-sixth round lifted it to 0.921
		if b := prs[intent.Buying]; b.Precision() < 0.85 {
			t.Errorf("%s: buying precision %.3f; want >= 0.85", set, b.Precision())
		}
	}
}
