package synth

// lexicon is what one language contributes to generated texts: frequent
// words, words per aspect (inflected forms included, as people write them),
// sentiment words, and syllables for the long tail of rarer words.
type lexicon struct {
	code      string
	weight    float64 // share of all mentions
	common    []string
	aspects   map[string][]string
	positive  []string
	negative  []string
	syllables []string
	cjk       bool // no spaces between words
}

// Aspect names, as the enrichment stage emits them.
var aspectNames = []string{"delivery", "price", "support", "quality", "app", "returns"}

var lexicons = []*lexicon{
	{
		code: "en", weight: 0.33,
		common: words("the a to and is it my i of for this that in on with was not but so have just they you me are be at no what why again still very really today order customer service new time day week got get would can will all from one about"),
		aspects: map[string][]string{
			"delivery": words("delivery deliveries delivered shipping shipped package parcel courier late arrived tracking"),
			"price":    words("price prices expensive cheap discount cost costs pricing overpriced deal"),
			"support":  words("support agent reply replied chat helpdesk waiting ticket answer call"),
			"quality":  words("quality broken works battery screen sturdy cheaply material build lasted"),
			"app":      words("app login update crash crashes bug buggy slow password notification"),
			"returns":  words("return returns refund refunded exchange receipt policy warranty"),
		},
		positive:  words("great love thanks awesome excellent fast happy perfect recommend best"),
		negative:  words("terrible awful worst hate never disappointed useless angry slow ridiculous"),
		syllables: words("ba be bi bo ca co da de di do fa fe fi ga go ha he hi ja ka ke la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi wa we wi ya zo ing er ed ly st tr ck"),
	},
	{
		code: "pt", weight: 0.14,
		common: words("o a os as de do da em um uma que e não é para com por mais muito meu minha já ainda hoje pedido cliente serviço loja dia semana foi está estou isso ele eles"),
		aspects: map[string][]string{
			"delivery": words("entrega entregas entregue atrasada atrasadas correios encomenda pacote frete rastreio chegou"),
			"price":    words("preço preços caro barato desconto promoção valor custo frete"),
			"support":  words("atendimento suporte resposta atendente respondeu chat espera protocolo"),
			"quality":  words("qualidade quebrado funciona bateria tela material durou defeito"),
			"app":      words("aplicativo app login atualização trava erro senha notificação lento"),
			"returns":  words("devolução troca reembolso estorno garantia nota"),
		},
		positive:  words("ótimo adorei obrigado excelente rápido feliz perfeito recomendo melhor top"),
		negative:  words("péssimo horrível pior odeio nunca decepcionado inútil raiva lento absurdo"),
		syllables: words("ba be bi bo ca ça co da de di do fa fe fi ga go lha lhe ma me mi mo na ne ni no nha nho pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi ção ões ão"),
	},
	{
		code: "es", weight: 0.10,
		common: words("el la los las de del en un una que y no es para con por más muy mi ya todavía hoy pedido cliente servicio tienda día semana fue está estoy eso ellos"),
		aspects: map[string][]string{
			"delivery": words("entrega entregas envío envíos entregado retraso paquete mensajero llegó seguimiento"),
			"price":    words("precio precios caro barato descuento oferta coste costo"),
			"support":  words("atención soporte respuesta agente respondió chat espera ticket"),
			"quality":  words("calidad roto funciona batería pantalla material duró defecto"),
			"app":      words("aplicación app login actualización error contraseña notificación lenta"),
			"returns":  words("devolución cambio reembolso garantía factura"),
		},
		positive:  words("genial encanta gracias excelente rápido feliz perfecto recomiendo mejor"),
		negative:  words("pésimo horrible peor odio nunca decepcionado inútil enfadado lento absurdo"),
		syllables: words("ba be bi bo ca co da de di do fa fe fi ga go ja je ma me mi mo na ne ni no ña ño pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi llo lla ción"),
	},
	{
		code: "pl", weight: 0.10,
		common: words("i w nie na się to jest z do że jak ale już jeszcze bardzo mój moja dzisiaj zamówienie klient obsługa sklep dzień tydzień był była jestem tego oni"),
		aspects: map[string][]string{
			"delivery": words("dostawa dostawy dostawę dostawą kurier paczka paczki przesyłka dotarło spóźniona śledzenie"),
			"price":    words("cena ceny drogo tanio rabat promocja koszt kosztuje"),
			"support":  words("obsługa wsparcie odpowiedź konsultant odpowiedzieli czat czekam zgłoszenie"),
			"quality":  words("jakość zepsuty działa bateria ekran materiał wytrzymał wada"),
			"app":      words("aplikacja aplikacji logowanie aktualizacja błąd hasło powiadomienie wolna"),
			"returns":  words("zwrot zwrotu wymiana reklamacja gwarancja paragon"),
		},
		positive:  words("świetny super dziękuję doskonały szybko zadowolony idealny polecam najlepszy"),
		negative:  words("fatalny okropny najgorszy nienawidzę nigdy rozczarowany bezużyteczny zły wolno absurd"),
		syllables: words("ba be bi bo ca ce ci co da de dzi do go ja je ka ke ki ko la le li ło ma me mi mo na ne ni no pa pe pi po ra re ry ro sa se sz cz ta te ty to wa we wi za ze ży ść"),
	},
	{
		code: "de", weight: 0.06,
		common: words("der die das und ist nicht ein eine ich mit für auf noch schon sehr mein meine heute bestellung kunde service laden tag woche war bin es sie"),
		aspects: map[string][]string{
			"delivery": words("lieferung lieferungen geliefert versand paket kurier verspätet angekommen sendungsverfolgung"),
			"price":    words("preis preise teuer billig rabatt angebot kosten"),
			"support":  words("kundendienst support antwort mitarbeiter geantwortet chat warten ticket"),
			"quality":  words("qualität kaputt funktioniert akku bildschirm material defekt"),
			"app":      words("app anmeldung update absturz fehler passwort benachrichtigung langsam"),
			"returns":  words("rücksendung umtausch erstattung garantie rechnung"),
		},
		positive:  words("super toll danke ausgezeichnet schnell zufrieden perfekt empfehle beste"),
		negative:  words("schrecklich furchtbar schlechteste hasse nie enttäuscht nutzlos wütend langsam"),
		syllables: words("ba be bi bo da de di do fa fe ga ge ha he ka ke la le li lo ma me mi na ne ni pa pe ra re ri sa se schi sche ta te ti ung en er ch"),
	},
	{
		code: "fr", weight: 0.06,
		common: words("le la les de des du et est pas un une je avec pour sur encore déjà très mon ma aujourd'hui commande client service magasin jour semaine était suis ça ils"),
		aspects: map[string][]string{
			"delivery": words("livraison livraisons livré colis coursier retard arrivé suivi expédition"),
			"price":    words("prix cher pas-cher réduction promo coût tarif"),
			"support":  words("support réponse conseiller répondu chat attente ticket"),
			"quality":  words("qualité cassé fonctionne batterie écran matériau défaut"),
			"app":      words("application appli connexion mise-à-jour bug erreur mot-de-passe lente"),
			"returns":  words("retour échange remboursement garantie facture"),
		},
		positive:  words("génial adore merci excellent rapide content parfait recommande meilleur"),
		negative:  words("horrible nul pire déteste jamais déçu inutile énervé lent absurde"),
		syllables: words("ba be bi bo ca ce ci co da de di do fa fe ga ge la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi tion eau oi"),
	},
	{
		code: "lv", weight: 0.05,
		common: words("un ir nav es ar uz par vēl jau ļoti mans mana šodien pasūtījums klients serviss veikals diena nedēļa bija esmu tas viņi kas kā"),
		aspects: map[string][]string{
			"delivery": words("piegāde piegādes piegādi kurjers paka sūtījums nokavēta ieradās izsekošana"),
			"price":    words("cena cenas dārgi lēti atlaide akcija izmaksas"),
			"support":  words("atbalsts atbilde konsultants atbildēja čats gaidu pieteikums"),
			"quality":  words("kvalitāte salūzis strādā akumulators ekrāns materiāls defekts"),
			"app":      words("lietotne pieteikšanās atjauninājums kļūda parole paziņojums lēna"),
			"returns":  words("atgriešana maiņa atmaksa garantija čeks"),
		},
		positive:  words("lieliski patīk paldies izcili ātri priecīgs perfekti iesaku labākais"),
		negative:  words("briesmīgi šausmīgi sliktākais ienīstu nekad vīlies bezjēdzīgi dusmīgs lēni"),
		syllables: words("ba be bi bu da de di du ga ge ja je ka ke ki ku la le li lu ma me mi mu na ne ni nu pa pe pi ra re ri sa se si ta te ti va ve vi ā ē ī ū š ž ņ"),
	},
	{
		code: "zh", weight: 0.08, cjk: true,
		common: words("我 的 了 是 不 很 这个 一个 也 还 就 都 没有 今天 订单 客户 服务 商店 一天 一周 他们 什么 为什么 真的"),
		aspects: map[string][]string{
			"delivery": words("快递 物流 发货 送货 包裹 配送 延迟 到货"),
			"price":    words("价格 太贵 便宜 优惠 折扣 划算"),
			"support":  words("客服 回复 售后 态度 等待 电话"),
			"quality":  words("质量 坏了 好用 电池 屏幕 材料"),
			"app":      words("应用 登录 更新 闪退 密码 通知"),
			"returns":  words("退货 换货 退款 保修 发票"),
		},
		positive:  words("很好 喜欢 谢谢 满意 推荐 完美 快"),
		negative:  words("太差 失望 讨厌 垃圾 很慢 生气 再也不"),
		syllables: words("天 地 人 心 手 口 山 水 火 木 金 土 日 月 风 云 雨 雪 花 草 鱼 鸟 马 牛 羊 车 门 书 电 话 网 店 家 路 学 生 工 作 时 间 新 旧 大 小 多 少 长 短 高 低 红 白 黑 东 西 南 北"),
	},
	{
		code: "it", weight: 0.04,
		common: words("il la i le di del in un una che e non è per con più molto mio mia già ancora oggi ordine cliente servizio negozio giorno settimana era sono questo loro"),
		aspects: map[string][]string{
			"delivery": words("consegna consegne consegnato spedizione pacco corriere ritardo arrivato tracciamento"),
			"price":    words("prezzo prezzi caro economico sconto offerta costo"),
			"support":  words("assistenza supporto risposta operatore risposto chat attesa ticket"),
			"quality":  words("qualità rotto funziona batteria schermo materiale difetto"),
			"app":      words("applicazione app accesso aggiornamento errore password notifica lenta"),
			"returns":  words("reso cambio rimborso garanzia scontrino"),
		},
		positive:  words("ottimo adoro grazie eccellente veloce contento perfetto consiglio migliore"),
		negative:  words("pessimo orribile peggiore odio mai deluso inutile arrabbiato lento assurdo"),
		syllables: words("ba be bi bo ca che chi co da de di do fa fe fi ga gli gna go la le li lo ma me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi zio"),
	},
}

// brands are the companies people talk about, most mentioned first; the
// first two are "ours", the rest competitors.
var brands = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wonka", "Cyberdyne", "Tyrell", "Vandelay",
	"Oscorp", "Aperture", "Soylent", "Nakatomi", "Monarch", "Dunder", "Gekko", "Pendant", "Sirius", "Massive"}

var products = []string{"Acme Pro", "Acme Mini", "Acme Go", "Globex One", "Globex Max", "Initech Box", "Hooli Phone", "Stark Watch"}

var sources = []weighted{{"mastodon", 45}, {"web", 25}, {"feed", 15}, {"forms", 10}, {"file", 5}}

func words(s string) []string {
	var out []string
	start := -1
	for i, r := range s + " " {
		if r == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			continue
		}
		if start < 0 {
			start = i
		}
	}
	return out
}
