package evaldata

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/earshothq/earshot/record"
)

// lead makes one lead row of type t and returns it with its true customer id.
func (g *generator) lead(cs []record.Customer, t, id string) (record.Customer, string) {
	switch t {
	case TypeNewPerson:
		l := g.locale()
		p := g.person(l, id)
		return g.shape(p, false, false), ""
	case TypeSameName:
		c := cs[g.rng.IntN(len(cs))]
		l := localeOf(c.Address.Country)
		p := g.person(l, id)
		p.FirstName, p.LastName = c.FirstName, c.LastName
		if g.rng.Float64() < 0.5 {
			p.Address.City = c.Address.City // a namesake in the same town
		}
		return g.shape(p, false, false), ""
	case TypeHousehold:
		return g.householdLead(g.householdMember(cs[g.rng.IntN(len(cs))], id)), ""
	}
	c := g.pickCustomer(cs, t)
	l := localeOf(c.Address.Country)
	lead := record.Customer{
		ID: id, FirstName: c.FirstName, LastName: c.LastName, Company: c.Company, Domain: c.Domain,
		Address: c.Address, DateOfBirth: c.DateOfBirth, UpdatedAt: c.UpdatedAt,
	}
	switch t {
	case TypeExactEmail:
		lead.Emails = []string{g.emailVariant(c.Emails[0])}
		lead = g.shape(lead, false, true)
		if g.rng.Float64() < 0.3 {
			lead.FirstName = g.nickname(lead.FirstName)
		}
		return lead, c.ID
	case TypeExactPhone:
		lead = g.shape(lead, false, true)
		lead.Phones = []string{g.phoneVariant(c.Phones[0], &lead)}
		return lead, c.ID
	}
	// No exact identifier from here on; some leads give an address of
	// their own that the CRM does not know.
	if g.rng.Float64() < 0.3 {
		lead.Emails = []string{g.email(lead, l)}
	}
	lead = g.shape(lead, t == TypeMissing, true)
	switch t {
	case TypeTypo:
		lead.FirstName, lead.LastName = romanize(l, lead.FirstName, false), romanize(l, lead.LastName, true)
		changed := false
		if g.rng.Float64() < 0.7 {
			lead.LastName = g.typo(lead.LastName)
			changed = true
		}
		if !changed || g.rng.Float64() < 0.4 {
			lead.FirstName = g.typo(lead.FirstName)
		}
		if lead.DateOfBirth != "" && g.rng.Float64() < 0.15 {
			lead.DateOfBirth = g.digitTypo(lead.DateOfBirth)
		}
		if lead.Address.PostalCode != "" && g.rng.Float64() < 0.1 {
			lead.Address.PostalCode = g.digitTypo(lead.Address.PostalCode)
		}
	case TypeSwapped:
		swapDate := lead.DateOfBirth != "" && lead.DateOfBirth[8:10] <= "12" && lead.DateOfBirth[5:7] != lead.DateOfBirth[8:10]
		if !swapDate || g.rng.Float64() < 0.75 {
			lead.FirstName, lead.LastName = lead.LastName, lead.FirstName
		}
		if swapDate && g.rng.Float64() < 0.4 {
			d := lead.DateOfBirth
			lead.DateOfBirth = d[:5] + d[8:10] + "-" + d[5:7]
		}
	case TypeMissing:
		if g.rng.Float64() < 0.3 {
			lead.Names = []string{lead.FirstName + " " + lead.LastName}
			lead.FirstName, lead.LastName = "", ""
		}
	case TypeNickname:
		lead.FirstName = g.nickname(lead.FirstName)
	case TypeTransliteration:
		g.transliterate(&lead, l)
	}
	return lead, c.ID
}

// pickCustomer chooses a customer the error type can apply to.
func (g *generator) pickCustomer(cs []record.Customer, t string) record.Customer {
	for range 1000 {
		c := cs[g.rng.IntN(len(cs))]
		switch t {
		case TypeExactEmail:
			if len(c.Emails) == 0 {
				continue
			}
		case TypeExactPhone:
			if len(c.Phones) == 0 {
				continue
			}
		case TypeNickname:
			if len(genNicknames[c.FirstName]) == 0 {
				continue
			}
		case TypeTransliteration:
			if isASCII(c.FirstName+c.LastName+c.Address.City) && c.Address.Country != "DE" {
				continue
			}
		}
		return c
	}
	return cs[g.rng.IntN(len(cs))]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// shape keeps the fields a lead list would have: the name, and some of
// date of birth, city, postcode, street, company and country. At least two
// of the first five stay, exactly two when only is set. Unless keepIDs,
// emails and phones are dropped at random too.
func (g *generator) shape(p record.Customer, only, keepIDs bool) record.Customer {
	type field struct {
		keep  float64
		clear func()
		has   bool
	}
	fields := []field{
		{0.7, func() { p.DateOfBirth = "" }, p.DateOfBirth != ""},
		{0.85, func() { p.Address.City = "" }, p.Address.City != ""},
		{0.6, func() { p.Address.PostalCode = "" }, p.Address.PostalCode != ""},
		{0.3, func() { p.Address.Street = "" }, p.Address.Street != ""},
		{0.6, func() { p.Company, p.Domain = "", "" }, p.Company != ""},
	}
	var avail []int
	for i, f := range fields {
		if f.has {
			avail = append(avail, i)
		}
	}
	keep := map[int]bool{}
	if only {
		g.rng.Shuffle(len(avail), func(i, j int) { avail[i], avail[j] = avail[j], avail[i] })
		for _, i := range avail[:min(2, len(avail))] {
			keep[i] = true
		}
	} else {
		for _, i := range avail {
			keep[i] = g.rng.Float64() < fields[i].keep
		}
		for n := countTrue(keep); n < 2 && n < len(avail); n = countTrue(keep) {
			keep[avail[g.rng.IntN(len(avail))]] = true
		}
	}
	for i, f := range fields {
		if f.has && !keep[i] {
			f.clear()
		}
	}
	if g.rng.Float64() < 0.2 {
		p.Address.Country = ""
	}
	if !keepIDs && g.rng.Float64() < 0.5 {
		p.Emails = nil
	}
	if !keepIDs && g.rng.Float64() < 0.5 {
		p.Phones = nil
	}
	p.Handles, p.Segment, p.LifetimeValue, p.Language = nil, "", 0, ""
	if g.rng.Float64() < 0.1 {
		p.LastName = strings.ToUpper(p.LastName) // lists shout family names
	}
	return p
}

func countTrue(m map[int]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// digitTypo changes one digit.
func (g *generator) digitTypo(s string) string {
	r := []rune(s)
	for range 20 {
		i := g.rng.IntN(len(r))
		if r[i] >= '0' && r[i] <= '9' {
			n := rune('0' + g.rng.IntN(10))
			if n != r[i] {
				r[i] = n
				return string(r)
			}
		}
	}
	return s
}

// emailVariant writes the same mailbox differently: case, and for Gmail
// dots and a +tag, for Outlook-style providers a +tag.
func (g *generator) emailVariant(e string) string {
	local, domain, _ := strings.Cut(e, "@")
	switch {
	case domain == "gmail.com" && g.rng.Float64() < 0.7:
		if g.rng.IntN(2) == 0 {
			local = strings.ReplaceAll(local, ".", "")
			if len(local) > 3 {
				local = local[:2] + "." + local[2:]
			}
		}
		if g.rng.IntN(2) == 0 {
			local += "+" + g.pick([]string{"news", "promo", "expo2026", "shop"})
		}
		if g.rng.IntN(4) == 0 {
			domain = "googlemail.com"
		}
	case (domain == "outlook.com" || domain == "hotmail.com") && g.rng.Float64() < 0.5:
		local += "+leads"
	}
	if g.rng.IntN(3) == 0 {
		local = strings.ToUpper(local[:1]) + local[1:]
		domain = strings.ToUpper(domain)
	}
	return local + "@" + domain
}

// phoneVariant writes the same number as people do: national format when
// the lead row says its country, otherwise international with "00".
func (g *generator) phoneVariant(p string, lead *record.Customer) string {
	switch g.rng.IntN(3) {
	case 0:
		if lead.Address.Country != "" {
			return nationalPhone(p, lead.Address.Country)
		}
	case 1:
		return "00" + strings.ReplaceAll(strings.TrimPrefix(p, "+"), " ", "")
	}
	return strings.ReplaceAll(p, " ", "-")
}

// nickname returns a diminutive of a given name, or the name.
func (g *generator) nickname(first string) string {
	if n := genNicknames[first]; len(n) > 0 {
		return g.pick(n)
	}
	return first
}

// transliterate writes the lead's names, city and street in Latin letters.
func (g *generator) transliterate(p *record.Customer, l *locale) {
	first, last := romanize(l, p.FirstName, false), romanize(l, p.LastName, true)
	if l.country == "CN" {
		switch g.rng.IntN(3) {
		case 0: // family name first, in one field, as on a Chinese business card
			p.Names = []string{last + " " + first}
			first, last = "", ""
		case 1:
			last = strings.ToUpper(last)
		}
		if c, ok := chineseCities[p.Address.City]; ok {
			p.Address.City = c
		}
	} else {
		p.Address.City = romanize(l, p.Address.City, false)
	}
	p.FirstName, p.LastName = first, last
	if p.Address.Street != "" {
		if l.country == "CN" {
			p.Address.Street = ""
		} else {
			p.Address.Street = romanize(l, p.Address.Street, false)
		}
	}
}

var chineseCities = map[string]string{
	"北京": "Beijing", "上海": "Shanghai", "广州": "Guangzhou", "深圳": "Shenzhen", "成都": "Chengdu",
	"杭州": "Hangzhou", "武汉": "Wuhan", "西安": "Xi'an", "南京": "Nanjing", "重庆": "Chongqing",
}

// chineseFamily and chineseGiven are the pinyin people use for the names
// the generator draws (surname readings included: 曾 is Zeng).
var chineseFamily = map[string]string{
	"王": "Wang", "李": "Li", "张": "Zhang", "刘": "Liu", "陈": "Chen", "杨": "Yang", "黄": "Huang", "赵": "Zhao",
	"吴": "Wu", "周": "Zhou", "徐": "Xu", "孙": "Sun", "马": "Ma", "朱": "Zhu", "胡": "Hu", "郭": "Guo", "何": "He",
	"高": "Gao", "林": "Lin", "罗": "Luo", "郑": "Zheng", "梁": "Liang", "谢": "Xie", "宋": "Song", "唐": "Tang",
	"许": "Xu", "韩": "Han", "冯": "Feng", "邓": "Deng", "曹": "Cao", "彭": "Peng", "曾": "Zeng", "萧": "Xiao",
	"田": "Tian", "董": "Dong", "潘": "Pan", "袁": "Yuan", "蔡": "Cai", "蒋": "Jiang", "余": "Yu", "欧阳": "Ouyang",
	"司马": "Sima",
}

var chineseGiven = map[string]string{
	"芳": "Fang", "娜": "Na", "敏": "Min", "静": "Jing", "丽": "Li", "艳": "Yan", "娟": "Juan", "霞": "Xia",
	"秀英": "Xiuying", "桂英": "Guiying", "婷": "Ting", "雪": "Xue", "慧": "Hui", "颖": "Ying", "琳": "Lin",
	"小红": "Xiaohong", "玉兰": "Yulan", "晓燕": "Xiaoyan", "欣怡": "Xinyi", "雨涵": "Yuhan", "伟": "Wei",
	"强": "Qiang", "磊": "Lei", "军": "Jun", "洋": "Yang", "勇": "Yong", "杰": "Jie", "涛": "Tao", "明": "Ming",
	"超": "Chao", "刚": "Gang", "平": "Ping", "辉": "Hui", "鹏": "Peng", "华": "Hua", "建华": "Jianhua",
	"志强": "Zhiqiang", "国强": "Guoqiang", "子轩": "Zixuan", "浩然": "Haoran", "宇航": "Yuhang", "俊杰": "Junjie",
	"文博": "Wenbo", "晓东": "Xiaodong",
}

func pinyinName(s string, family bool) string {
	table := chineseGiven
	if family {
		table = chineseFamily
	}
	if p, ok := table[s]; ok {
		return p
	}
	return s // already Latin (a typo'd or earlier romanised name)
}

// ukrainianLatin romanises Ukrainian by the national system of 2010, which
// writes є, ї, й, ю, я differently at the start of a word.
func ukrainianLatin(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		lower := unicode.ToLower(r)
		t, ok := ukrMid[lower]
		if start {
			if ti, ok2 := ukrInitial[lower]; ok2 {
				t, ok = ti, true
			}
		}
		if !ok {
			b.WriteRune(r)
			start = !unicode.IsLetter(r)
			continue
		}
		if unicode.IsUpper(r) && t != "" {
			t = strings.ToUpper(t[:1]) + t[1:]
		}
		b.WriteString(t)
		start = false
	}
	return b.String()
}

var ukrInitial = map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"}

var ukrMid = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie", 'ж': "zh", 'з': "z",
	'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p",
	'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ь': "", 'ю': "iu", 'я': "ia", '\'': "", 'ʼ': "",
}

// genNicknames are the diminutives people put on forms, by the formal
// name the CRM holds. Some are deliberately ones a nickname table may not
// know (Maciek, Jurek, Lottie), as in real lists.
var genNicknames = map[string][]string{
	"William": {"Bill", "Will", "Liam"}, "Robert": {"Bob", "Rob"}, "Richard": {"Rick", "Dick"},
	"James": {"Jim", "Jamie"}, "Thomas": {"Tom", "Tommy"}, "Charles": {"Charlie"}, "Michael": {"Mike", "Micha"},
	"David": {"Dave"}, "Daniel": {"Dan", "Danny"}, "Matthew": {"Matt"}, "Edward": {"Ed", "Ted"},
	"Christopher": {"Chris"}, "Joseph": {"Joe"}, "Benjamin": {"Ben"}, "Alexander": {"Alex"},
	"Andrew": {"Andy", "Drew"}, "Nicholas": {"Nick"}, "Anthony": {"Tony"}, "Stephen": {"Steve"},
	"Timothy": {"Tim"}, "Elizabeth": {"Liz", "Beth"}, "Margaret": {"Maggie", "Peggy"}, "Katherine": {"Kate", "Katie"},
	"Rebecca": {"Becky"}, "Victoria": {"Vicky"}, "Susan": {"Sue"}, "Jennifer": {"Jen", "Jenny"},
	"Abigail": {"Abby"}, "Eleanor": {"Ellie"}, "Samantha": {"Sam"}, "Patricia": {"Pat", "Trish"},
	"Jessica": {"Jess"}, "Olivia": {"Liv"}, "Charlotte": {"Lottie"}, "Amelia": {"Millie"},
	"Katarzyna": {"Kasia"}, "Małgorzata": {"Gosia", "Małgosia"}, "Agnieszka": {"Aga"}, "Magdalena": {"Magda"},
	"Joanna": {"Asia"}, "Aleksandra": {"Ola"}, "Elżbieta": {"Ela"}, "Barbara": {"Basia"}, "Zofia": {"Zosia"},
	"Anna": {"Ania"}, "Weronika": {"Wera"}, "Jadwiga": {"Jadzia"}, "Urszula": {"Ula"}, "Krystyna": {"Krysia"},
	"Jolanta": {"Jola"}, "Wiktoria": {"Wika"}, "Krzysztof": {"Krzysiek"}, "Wojciech": {"Wojtek"}, "Tomasz": {"Tomek"},
	"Piotr": {"Piotrek"}, "Stanisław": {"Staszek"}, "Józef": {"Józek"}, "Zbigniew": {"Zbyszek"},
	"Grzegorz": {"Grzesiek"}, "Jakub": {"Kuba"}, "Mateusz": {"Mati"}, "Bartłomiej": {"Bartek"},
	"Przemysław": {"Przemek"}, "Sławomir": {"Sławek"}, "Aleksander": {"Olek"}, "Radosław": {"Radek"},
	"Dariusz": {"Darek"}, "Maciej": {"Maciek"}, "Jerzy": {"Jurek"}, "Ryszard": {"Rysiek"},
	"Jānis": {"Jancis"}, "Kristaps": {"Krists"},
	"José": {"Zé", "Zeca"}, "Francisco": {"Chico"}, "António": {"Toninho"}, "Antônio": {"Toninho"},
	"Manuel": {"Manel"}, "Fernando": {"Nando"}, "Eduardo": {"Edu", "Dudu"}, "Rafael": {"Rafa"},
	"Gabriela": {"Gabi"}, "Fernanda": {"Nanda"}, "Beatriz": {"Bia"}, "Isabel": {"Isa"}, "Pedro": {"Pedrinho"},
	"Олександр": {"Саша"}, "Дмитро": {"Діма"}, "Володимир": {"Вова"}, "Іван": {"Ваня"},
	"Катерина": {"Катя"}, "Наталія": {"Наташа"}, "Тетяна": {"Таня"}, "Марія": {"Маша"}, "Юлія": {"Юля"},
	"Johannes": {"Hans"}, "Friedrich": {"Fritz"}, "Wolfgang": {"Wolf"}, "Christian": {"Chris"}, "Andreas": {"Andi"},
}

// householdMember makes another member of c's household: a parent, child,
// sibling or twin with the family name (in its gendered form) and the
// address, their own given name, birth date, email and phone.
func (g *generator) householdMember(c record.Customer, id string) record.Customer {
	l := localeOf(c.Address.Country)
	p := g.person(l, id)
	for p.FirstName == c.FirstName {
		p = g.person(l, id)
	}
	switch pf, cf := slices.Contains(l.female, p.FirstName), slices.Contains(l.female, c.FirstName); {
	case pf == cf:
		p.LastName = c.LastName
	case pf:
		p.LastName = feminine(l.country, c.LastName)
	default:
		p.LastName = masculine(l.country, c.LastName)
	}
	p.Address = c.Address
	if born, err := time.Parse("2006-01-02", c.DateOfBirth); err == nil {
		switch x := g.rng.Float64(); {
		case x < 0.3: // parent
			born = born.AddDate(-20-g.rng.IntN(20), 0, -g.rng.IntN(365))
		case x < 0.6: // child
			born = born.AddDate(20+g.rng.IntN(20), 0, g.rng.IntN(365))
		case x < 0.9: // sibling
			born = born.AddDate(0, 0, (1+g.rng.IntN(10*365))*(1-2*g.rng.IntN(2)))
		default: // twin
		}
		for born.After(g.now.AddDate(-1, 0, 0)) {
			born = born.AddDate(-25, 0, 0) // a child not born yet: a parent instead
		}
		p.DateOfBirth = born.Format("2006-01-02")
	}
	return p
}

// householdLead writes a household member as a lead list would: the
// address always (that is what makes them look like the customer), the
// rest as for other leads, and no identifier of the customer's.
func (g *generator) householdLead(p record.Customer) record.Customer {
	street := p.Address.Street
	p.Phones = nil
	if g.rng.Float64() < 0.7 {
		p.Emails = nil
	}
	p = g.shape(p, false, true)
	p.Address.Street = street
	return p
}

// masculine undoes feminine.
func masculine(country, family string) string {
	switch country {
	case "PL":
		for _, s := range [][2]string{{"ska", "ski"}, {"cka", "cki"}, {"dzka", "dzki"}} {
			if strings.HasSuffix(family, s[0]) {
				return strings.TrimSuffix(family, s[0]) + s[1]
			}
		}
	}
	return family
}
