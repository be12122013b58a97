package evaldata

// locale is a population the generator draws people from: names in the
// script a CRM would store them in, places, phone plans and mail providers.
type locale struct {
	country string
	// given names (female, male) and family names; family names may have
	// a female form (Polish -ski/-ska) produced by feminine.
	female, male []string
	family       []string
	// familyRoots × familySuffixes widen the family names far beyond the
	// lists, as real name distributions have a long tail.
	familyRoots, familySuffixes []string
	cities                      []city
	streets                     []string
	providers                   []string
	// script is how a trade-show list or web form would write the names
	// when the CRM stores them in another script ("" = same script).
	script string
}

type city struct {
	name     string
	postcode string // pattern: 9 = random digit, A = random letter, other characters kept
}

var locales = []locale{
	{
		country:        "PL",
		female:         []string{"Anna", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta", "Magdalena", "Joanna", "Zofia", "Dorota", "Aleksandra", "Monika", "Teresa", "Danuta", "Natalia", "Karolina", "Marta", "Beata", "Jolanta", "Iwona", "Urszula", "Weronika", "Jadwiga", "Grażyna", "Halina", "Julia", "Wiktoria", "Paulina"},
		male:           []string{"Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Jan", "Michał", "Marcin", "Stanisław", "Jakub", "Adam", "Marek", "Łukasz", "Grzegorz", "Mateusz", "Wojciech", "Mariusz", "Dariusz", "Zbigniew", "Jerzy", "Maciej", "Józef", "Rafał", "Ryszard", "Kamil", "Robert", "Kacper", "Bartłomiej", "Przemysław", "Sławomir", "Aleksander", "Radosław"},
		family:         []string{"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Kwiatkowski", "Wojciechowski", "Krawczyk", "Kaczmarek", "Piotrowski", "Grabowski", "Zając", "Pawłowski", "Michalski", "Król", "Wieczorek", "Jabłoński", "Wróbel", "Nowakowski", "Majewski", "Olszewski", "Stępień", "Malinowski", "Jaworski", "Adamczyk", "Dudek", "Nowicki", "Pawlak", "Górski", "Witkowski", "Walczak", "Sikora", "Baran", "Rutkowski", "Michalak", "Szewczyk", "Ostrowski", "Tomaszewski", "Pietrzak", "Wróblewski", "Marciniak"},
		familyRoots:    []string{"Kowal", "Nowak", "Lis", "Wilk", "Sok", "Dąb", "Brzez", "Kras", "Grab", "Jastrzęb", "Mazur", "Zaj", "Kos", "Bart", "Cich", "Głow", "Kul", "Pietr", "Szczep", "Wierzb", "Sadow", "Lipin", "Czarn", "Biel", "Rogal", "Kozł", "Mrocz", "Orz", "Stawi", "Tarn", "Zaw", "Żuk", "Chmiel", "Dziedzic", "Gaj", "Jurk", "Kmieć", "Łuk", "Mik", "Ptak"},
		familySuffixes: []string{"owski", "ewski", "iński", "ski", "czyk", "ak", "ek", "ik", "owicz", "ewicz", "ała", "uk"},
		cities:         []city{{"Warszawa", "09-999"}, {"Kraków", "39-999"}, {"Łódź", "99-999"}, {"Wrocław", "59-999"}, {"Poznań", "69-999"}, {"Gdańsk", "89-999"}, {"Szczecin", "79-999"}, {"Bydgoszcz", "89-999"}, {"Lublin", "29-999"}, {"Katowice", "49-999"}, {"Białystok", "19-999"}, {"Gdynia", "89-999"}, {"Częstochowa", "49-999"}, {"Radom", "29-999"}, {"Toruń", "89-999"}, {"Rzeszów", "39-999"}, {"Kielce", "29-999"}, {"Olsztyn", "19-999"}, {"Opole", "49-999"}, {"Zielona Góra", "69-999"}},
		streets:        []string{"ul. Marszałkowska", "ul. Długa", "ul. Polna", "ul. Leśna", "ul. Słoneczna", "ul. Krótka", "ul. Szkolna", "ul. Ogrodowa", "ul. Lipowa", "ul. Kościuszki", "ul. Mickiewicza", "ul. Sienkiewicza", "ul. Piłsudskiego", "ul. Kwiatowa", "ul. Brzozowa"},
		providers:      []string{"gmail.com", "wp.pl", "onet.pl", "o2.pl", "interia.pl"},
	},
	{
		country:        "LV",
		female:         []string{"Anna", "Kristīne", "Ilze", "Inese", "Laura", "Līga", "Anita", "Ieva", "Dace", "Sanita", "Elīna", "Agnese", "Zane", "Marta", "Evija", "Baiba", "Linda", "Santa", "Dzintra", "Gunta"},
		male:           []string{"Jānis", "Andris", "Edgars", "Māris", "Kristaps", "Mārtiņš", "Juris", "Aigars", "Artūrs", "Roberts", "Dainis", "Raivis", "Valdis", "Gints", "Oskars", "Uldis", "Ivars", "Kārlis", "Aivars", "Armands"},
		family:         []string{"Bērziņš", "Kalniņš", "Ozoliņš", "Jansons", "Ozols", "Liepiņš", "Krūmiņš", "Balodis", "Eglītis", "Zariņš", "Pētersons", "Vītols", "Kļaviņš", "Kārkliņš", "Vanags", "Lācis", "Grīnbergs", "Zvirbulis", "Siliņš", "Dzenis", "Strazdiņš", "Kalējs", "Mežs", "Upītis", "Celmiņš"},
		familyRoots:    []string{"Bērz", "Kaln", "Ozol", "Liep", "Krūm", "Zar", "Kļav", "Kārkl", "Strazd", "Celm", "Dīķ", "Akmen", "Priež", "Sprūd", "Putn", "Skuj", "Vilk", "Rudz", "Mež", "Ābol"},
		familySuffixes: []string{"iņš", "s", "ulis", "ītis", "ais", "enieks"},
		cities:         []city{{"Rīga", "LV-1099"}, {"Daugavpils", "LV-5499"}, {"Liepāja", "LV-3499"}, {"Jelgava", "LV-3099"}, {"Jūrmala", "LV-2099"}, {"Ventspils", "LV-3699"}, {"Rēzekne", "LV-4699"}, {"Valmiera", "LV-4299"}, {"Ogre", "LV-5099"}, {"Tukums", "LV-3199"}},
		streets:        []string{"Brīvības iela", "Elizabetes iela", "Krišjāņa Barona iela", "Tērbatas iela", "Avotu iela", "Lāčplēša iela", "Dzirnavu iela", "Ganību dambis", "Maskavas iela", "Kalnciema iela"},
		providers:      []string{"inbox.lv", "gmail.com", "one.lv", "apollo.lv"},
	},
	{
		country:   "PT",
		female:    []string{"Maria", "Ana", "Beatriz", "Mariana", "Inês", "Sofia", "Catarina", "Joana", "Rita", "Carolina", "Marta", "Leonor", "Matilde", "Francisca", "Isabel", "Teresa", "Filipa", "Patrícia", "Sara", "Helena"},
		male:      []string{"João", "José", "António", "Francisco", "Manuel", "Pedro", "Luís", "Tiago", "Rui", "Miguel", "Paulo", "Ricardo", "Carlos", "Nuno", "Fernando", "Jorge", "Duarte", "Gonçalo", "Diogo", "Rafael"},
		family:    []string{"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins", "Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques", "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha", "Conceição", "Magalhães", "Araújo", "Freitas", "Barbosa"},
		cities:    []city{{"Lisboa", "1999-999"}, {"Porto", "4099-999"}, {"Braga", "4799-999"}, {"Coimbra", "3099-999"}, {"Faro", "8099-999"}, {"Aveiro", "3899-999"}, {"Setúbal", "2999-999"}, {"Funchal", "9099-999"}, {"Évora", "7099-999"}, {"Viseu", "3599-999"}},
		streets:   []string{"Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina", "Rua do Ouro", "Rua Garrett", "Avenida dos Aliados", "Rua da Prata", "Rua das Flores", "Travessa do Carmo", "Largo do Rato"},
		providers: []string{"gmail.com", "sapo.pt", "hotmail.com", "outlook.com"},
	},
	{
		country:   "BR",
		female:    []string{"Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia", "Aline", "Camila", "Letícia", "Bruna", "Larissa", "Gabriela", "Vanessa", "Tatiane", "Jéssica", "Luana", "Priscila"},
		male:      []string{"José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos", "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo", "Rodrigo"},
		family:    []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira"},
		cities:    []city{{"São Paulo", "01999-999"}, {"Rio de Janeiro", "20999-999"}, {"Belo Horizonte", "30999-999"}, {"Salvador", "40999-999"}, {"Brasília", "70999-999"}, {"Fortaleza", "60999-999"}, {"Curitiba", "80999-999"}, {"Recife", "50999-999"}, {"Porto Alegre", "90999-999"}, {"Manaus", "69099-999"}},
		streets:   []string{"Avenida Paulista", "Rua Oscar Freire", "Rua Augusta", "Avenida Atlântica", "Rua da Consolação", "Avenida Brasil", "Rua XV de Novembro", "Avenida Sete de Setembro", "Rua das Laranjeiras", "Avenida Boa Viagem"},
		providers: []string{"gmail.com", "uol.com.br", "bol.com.br", "terra.com.br", "hotmail.com"},
	},
	{
		country:   "CN",
		female:    []string{"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "桂英", "婷", "雪", "慧", "颖", "琳", "小红", "玉兰", "晓燕", "欣怡", "雨涵"},
		male:      []string{"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "建华", "志强", "国强", "子轩", "浩然", "宇航", "俊杰", "文博", "晓东"},
		family:    []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "萧", "田", "董", "潘", "袁", "蔡", "蒋", "余", "欧阳", "司马"},
		cities:    []city{{"北京", "100999"}, {"上海", "200999"}, {"广州", "510999"}, {"深圳", "518999"}, {"成都", "610999"}, {"杭州", "310999"}, {"武汉", "430999"}, {"西安", "710999"}, {"南京", "210999"}, {"重庆", "400999"}},
		streets:   []string{"长安街", "南京路", "淮海路", "中山路", "人民路", "解放路", "建设路", "和平路", "学府路", "滨江路"},
		providers: []string{"qq.com", "163.com", "126.com", "sina.com", "gmail.com"},
		script:    "pinyin",
	},
	{
		country:        "UA",
		female:         []string{"Олена", "Наталія", "Тетяна", "Ірина", "Світлана", "Юлія", "Оксана", "Людмила", "Марія", "Анна", "Катерина", "Вікторія", "Ганна", "Дарина", "Софія"},
		male:           []string{"Олександр", "Сергій", "Андрій", "Володимир", "Дмитро", "Іван", "Михайло", "Юрій", "Василь", "Олег", "Микола", "Віктор", "Тарас", "Богдан", "Максим", "Павло"},
		family:         []string{"Мельник", "Шевченко", "Бойко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Ковальчук", "Олійник", "Шевчук", "Поліщук", "Бондар", "Ткачук", "Марченко", "Руденко", "Савченко", "Кравчук", "Лисенко", "Мороз", "Петренко", "Клименко", "Павленко", "Кузьменко", "Левченко", "Гончаренко"},
		familyRoots:    []string{"Коваль", "Бондар", "Ткач", "Кравч", "Мельнич", "Петр", "Гончар", "Лис", "Мороз", "Сав", "Рудь", "Лев", "Павл", "Клим", "Кузьм"},
		familySuffixes: []string{"енко", "ук", "ович", "ак", "ко"},
		cities:         []city{{"Київ", "09999"}, {"Львів", "79999"}, {"Одеса", "69999"}, {"Харків", "69999"}, {"Дніпро", "49999"}, {"Запоріжжя", "69999"}, {"Вінниця", "29999"}, {"Полтава", "39999"}},
		streets:        []string{"вул. Хрещатик", "вул. Шевченка", "вул. Франка", "просп. Свободи", "вул. Сумська", "вул. Дерибасівська", "вул. Грушевського", "вул. Лесі Українки"},
		providers:      []string{"ukr.net", "gmail.com", "i.ua", "meta.ua"},
		script:         "latin",
	},
	{
		country:        "GB",
		female:         []string{"Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Jessica", "Charlotte", "Elizabeth", "Margaret", "Katherine", "Rebecca", "Victoria", "Susan", "Jennifer", "Abigail", "Eleanor", "Samantha", "Patricia"},
		male:           []string{"Oliver", "George", "Harry", "Jack", "James", "William", "Thomas", "Charles", "Robert", "Richard", "Michael", "David", "Daniel", "Matthew", "Edward", "Christopher", "Joseph", "Benjamin", "Alexander", "Andrew", "Nicholas", "Anthony", "Stephen", "Timothy"},
		family:         []string{"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen"},
		familyRoots:    []string{"Ash", "Black", "Brook", "Cole", "Fair", "Green", "Hart", "Kings", "Lang", "Mill", "North", "Red", "Stan", "West", "Whit", "Wood", "Hol", "Brad", "Bur", "Chester"},
		familySuffixes: []string{"ford", "ley", "ton", "wood", "field", "worth", "by", "well", "more", "ridge"},
		cities:         []city{{"London", "AA9 9AA"}, {"Manchester", "M99 9AA"}, {"Birmingham", "B99 9AA"}, {"Leeds", "LS9 9AA"}, {"Glasgow", "G99 9AA"}, {"Bristol", "BS9 9AA"}, {"Liverpool", "L99 9AA"}, {"Edinburgh", "EH9 9AA"}, {"Cardiff", "CF9 9AA"}, {"Oxford", "OX9 9AA"}},
		streets:        []string{"High Street", "Station Road", "Main Street", "Park Road", "Church Road", "London Road", "Victoria Road", "Green Lane", "Manor Road", "Kings Road"},
		providers:      []string{"gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "hotmail.co.uk"},
	},
	{
		country:   "DE",
		female:    []string{"Maria", "Ursula", "Monika", "Petra", "Elisabeth", "Sabine", "Renate", "Helga", "Karin", "Brigitte", "Ingrid", "Erika", "Andrea", "Gisela", "Claudia", "Susanne", "Gabriele", "Christa", "Christine", "Jutta"},
		male:      []string{"Peter", "Michael", "Thomas", "Andreas", "Wolfgang", "Klaus", "Jürgen", "Günter", "Stefan", "Christian", "Uwe", "Werner", "Horst", "Frank", "Dieter", "Manfred", "Gerhard", "Hans", "Bernd", "Torsten", "Johannes", "Friedrich"},
		family:    []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier"},
		cities:    []city{{"Berlin", "10999"}, {"Hamburg", "20999"}, {"München", "80999"}, {"Köln", "50999"}, {"Frankfurt am Main", "60999"}, {"Stuttgart", "70999"}, {"Düsseldorf", "40999"}, {"Leipzig", "04999"}, {"Dortmund", "44999"}, {"Essen", "45999"}},
		streets:   []string{"Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße", "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße"},
		providers: []string{"gmx.de", "web.de", "t-online.de", "gmail.com"},
	},
}

// companies are employers, combined with a locale-neutral legal form.
var companyStems = []string{"Acme", "Nordlys", "Baltic Trade", "Vistula Soft", "Amber Logistics", "Lusitania Foods", "Atlântico Digital", "Dragon Textiles", "Kyiv Robotics", "Thames Analytics", "Rheinwerk", "Orion Labs", "Polaris Energy", "Meridian Health", "Cobalt Systems", "Granite Bank", "Sapphire Retail", "Helix Pharma", "Quantum Print", "Evergreen Farms", "Silverline Travel", "Blue Harbor", "Redwood Consulting", "Summit Sports", "Aurora Media", "Kestrel Security", "Nimbus Cloud", "Pioneer Motors", "Coral Insurance", "Falcon Aero"}

var legalForms = map[string][]string{
	"PL": {"Sp. z o.o.", "S.A."}, "LV": {"SIA", "AS"}, "PT": {"Lda.", "S.A."}, "BR": {"Ltda.", "S.A."},
	"CN": {"有限公司"}, "UA": {"ТОВ"}, "GB": {"Ltd", "plc"}, "DE": {"GmbH", "AG"},
}
