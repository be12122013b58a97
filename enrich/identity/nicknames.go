package identity

import (
	"strings"
)

// nicknameGroups lists given names with their diminutives and short forms,
// one group per line: the formal name first. A nickname may belong to
// several groups ("sasha" is Aleksandr and Aleksandra). Names are folded
// (ASCII, lower case) as FoldText writes them.
const nicknameGroups = `
william bill billy will willy liam wil
robert bob bobby rob robbie bert
richard rick ricky dick rich richie
james jim jimmy jamie
john johnny jack jon
jonathan jon jonny nathan
joseph joe joey jo
michael mike mikey mick mickey
thomas tom tommy
charles charlie chuck chas
christopher chris kit topher
christine chris chrissy tina christina
christina chris tina
daniel dan danny
david dave davy
edward ed eddie ted teddy ned
elizabeth liz lizzy beth betty eliza libby bess lisa elisa
katherine kate katie kathy kat kitty cathy
catherine kate katie cathy cat
margaret maggie meg peggy marge madge greta
patricia pat patty trish tricia
jennifer jen jenny
rebecca becky becca
samuel sam sammy
samantha sam sammy
alexander alex al sandy xander sasha alek
alexandra alex sandra sandy lexi sasha
anthony tony
andrew andy drew
benjamin ben benny benji
nicholas nick nicky
matthew matt matty
stephen steve stevie
steven steve stevie
timothy tim timmy
gregory greg
jeffrey jeff
kenneth ken kenny
ronald ron ronnie
donald don donnie
frederick fred freddie
henry harry hank hal
lawrence larry
leonard leo len lenny
peter pete
philip phil
raymond ray
susan sue susie suzy
deborah deb debbie
dorothy dot dottie
victoria vicky tori
abigail abby
isabella bella izzy isabel
josephine josie jo
joshua josh
zachary zach zack
nathaniel nate nathan
gabriel gabe
vincent vince vinny
theodore ted teddy theo
eleanor ellie nora
barbara barb barbie
jacqueline jackie
aleksander olek alek oleś olus
aleksandra ola ala olka
katarzyna kasia kaska kasienka
malgorzata gosia malgosia goska
agnieszka aga agusia
magdalena magda madzia
małgorzata gosia malgosia
joanna asia joasia
krzysztof krzys krzysiek
wojciech wojtek
tomasz tomek
piotr piotrek
pawel pawelek
michal michalek
andrzej jedrzej andrzejek
stanislaw staszek stas
wladyslaw wladek wladzio
jozef jozek
zbigniew zbyszek
grzegorz grzesiek
jakub kuba kubus
mateusz mati matek
bartlomiej bartek
przemyslaw przemek
slawomir slawek
stanislawa stasia
elzbieta ela elka
barbara basia baska
dorota dorotka
anna ania anka anusia
zofia zosia
weronika wera
jadwiga jadzia
urszula ula
krystyna krysia
jolanta jola
dariusz darek
radoslaw radek
leszek lech
janis janka
janis jancis
kristaps krists
martins martin
ilze ilzite
anna anete
elizabete liza beta
aleksandrs sasa sasha
jekaterina katja katya
joao joaozinho
jose ze zeca
francisco chico xico
antonio toninho tone
manuel manel nelo
maria mariazinha
fernando nando
eduardo edu dudu
luis lula
alexandre xande
ricardo rico
rafael rafa
gabriela gabi
fernanda nanda
beatriz bia
isabel bel isa
ana aninha
johann hans hannes
johannes hans hannes jan
friedrich fritz
wolfgang wolf
aleksandr sasha sanya shura sasa
aleksei alyosha lyosha alexei alexey
dmitry dima mitya dmitri dmitrii
mikhail misha
nikolay kolya nikolai
vladimir volodya vova
ivan vanya
sergey seryozha sergei
yekaterina katya katia ekaterina
natalya natasha natalia
olga olya
tatyana tanya tatiana
yelena lena elena
mariya masha maria
anastasiya nastya anastasia
yevgeny zhenya evgeny evgeni
pavel pasha
oleksandr sasha sashko sanya
olena lena olenka
yuliya yulya yulia
tetyana tanya tania
nataliya natasha natalka
katerina katya katia
mariya masha marichka
dmitro dima dmytro
volodimir vova volodia
ivan vanya vania
andriy andriyko
`

// nicknames maps each name to the formal names of its groups.
var nicknames = func() map[string][]string {
	m := map[string][]string{}
	add := func(name, formal string) {
		for _, f := range m[name] {
			if f == formal {
				return
			}
		}
		m[name] = append(m[name], formal)
	}
	for _, line := range strings.Split(nicknameGroups, "\n") {
		names := strings.Fields(line)
		if len(names) == 0 {
			continue
		}
		formal := FoldText(names[0])
		add(formal, formal)
		for _, n := range names[1:] {
			add(FoldText(n), formal)
		}
	}
	return m
}()

// FormalNames returns the formal given names a folded given name may stand
// for: itself if it is formal or unknown, its formal forms if it is a
// diminutive ("kasia" → "katarzyna"; "alex" → "alexander", "alexandra").
func FormalNames(first string) []string {
	if f, ok := nicknames[first]; ok {
		return f
	}
	return nil
}

// sameFormal reports whether two folded given names share a formal name.
func sameFormal(a, b string) bool {
	fa, fb := FormalNames(a), FormalNames(b)
	if len(fa) == 0 || len(fb) == 0 {
		return false
	}
	for _, x := range fa {
		for _, y := range fb {
			if x == y {
				return true
			}
		}
	}
	return false
}
