"""The words the sandbox builds Belgian korfball members from.

Flemish and Walloon first and last names (accents, particles and apostrophes
included, because real member lists have them), streets and towns per region, and
the names of the club's categories, roles and membership types in English, Dutch
and French, the way Twizzit keys its language maps (`EN`, `NL`, `FR`).
"""


def words(text: str) -> tuple[str, ...]:
    """Split a comma-separated word list (names may hold spaces and apostrophes)."""
    return tuple(word.strip() for word in text.split(","))


def towns(text: str) -> tuple[tuple[str, str], ...]:
    """'2000 Antwerpen, 9000 Gent' -> (("2000", "Antwerpen"), ("9000", "Gent"))."""
    return tuple(tuple(town.split(" ", 1)) for town in words(text))


FLEMISH_MEN = words(
    "Wout, Jens, Lars, Arne, Senne, Pieter, Jef, Bram, Stijn, Tibo, Lowie, Warre, Rune, "
    "Ruben, Thijs, Kobe, Jonas, Mathis, Seppe, Daan"
)
FLEMISH_WOMEN = words(
    "Lotte, Ine, Fien, Marie, Noor, Hanne, Lien, Elise, Febe, Saar, Jolien, Nele, Ans, Leen, "
    "Anouk, Liese, Mirthe, Jana, Axelle, Amber"
)
WALLOON_MEN = words(
    "Sébastien, Jérôme, François, Benoît, Cédric, Grégory, Loïc, Maxime, Thibaut, Clément, "
    "Hugo, Noé, Raphaël, Aurélien, Timothée, Jérémy"
)
WALLOON_WOMEN = words(
    "Anaïs, Chloé, Zoé, Mélanie, Céline, Hélène, Aurélie, Élodie, Noémie, Joséphine, Léa, "
    "Manon, Océane, Inès, Maëlle, Gaëlle"
)
NEUTRAL_NAMES = words("Robin, Sam, Charlie, Noa, Alex, Jo, Kim, Lou, Camille")

FLEMISH_SURNAMES = words(
    "Van den Broeck, De Smet, Peeters, Janssens, Maes, Jacobs, Mertens, Willems, Claes, "
    "Goossens, Wouters, De Vos, Van Damme, Verhoeven, Van de Velde, Vermeulen, D'Hondt, "
    "Van Acker, De Backer, Vandenberghe, Coppens, Van Hoey, Verstraeten, Van Looy, De Wilde, "
    "Baeten, Geerts"
)
WALLOON_SURNAMES = words(
    "Dubois, Noël, Lambert, Dupont, Martin, Leroy, Lejeune, Renard, Mathieu, François, "
    "Gérard, Lefèvre, Hubert, Henrotte, Thiry, Collard, Bodart, Deprez, Hennebert, Stiénon, "
    "Piérart, Dethier"
)

FLEMISH_STREETS = words(
    "Kerkstraat, Stationsstraat, Dorpsstraat, Molenstraat, Kapelstraat, Nieuwstraat, "
    "Schoolstraat, Lindelei, Groenplaats, Sint-Jansstraat"
)
WALLOON_STREETS = words(
    "Rue de la Station, Rue de l'Église, Chaussée de Namur, Rue du Moulin, "
    "Avenue des Tilleuls, Place Saint-Lambert, Rue Haute, Rue des Écoles"
)
FLEMISH_TOWNS = towns(
    "2000 Antwerpen, 2018 Antwerpen, 9000 Gent, 3000 Leuven, 2800 Mechelen, 8000 Brugge, "
    "2640 Mortsel, 9100 Sint-Niklaas, 3500 Hasselt, 2980 Zoersel, 2930 Brasschaat, 9300 Aalst"
)
WALLOON_TOWNS = towns(
    "4000 Liège, 5000 Namur, 7000 Mons, 6000 Charleroi, 1300 Wavre, 1348 Louvain-la-Neuve, "
    "4800 Verviers, 1400 Nivelles"
)
DUTCH_TOWNS = (("4611 AB", "Bergen op Zoom"), ("4701 NJ", "Roosendaal"))

BELGIUM = {"EN": "Belgium", "NL": "België", "FR": "Belgique"}
NETHERLANDS = {"EN": "Netherlands", "NL": "Nederland", "FR": "Pays-Bas"}
NO_COUNTRY = {"EN": "", "NL": "", "FR": ""}

MAIL_DOMAINS = words("telenet.be, skynet.be, gmail.com, hotmail.com, proximus.be, outlook.be")
OPPONENTS = words("Boeckenberg, Sikopi, Scaldis, Kwik, Floriant, Voorwaarts, Borgerhout")


def language_map(en: str, nl: str, fr: str) -> dict:
    return {"EN": en, "NL": nl, "FR": fr}


# Team categories of a Belgian korfball club. `max_age` is the age a member must stay
# under at the start of the season; None = adults.
CATEGORIES = (
    # id, EN, NL, FR, colour, max_age
    (301, "Seniors", "Senioren", "Seniors", "#1f4e79", None),
    (302, "U13", "U13", "U13", "#2e7d32", 13),
    (303, "U15", "U15", "U15", "#558b2f", 15),
    (304, "U17", "U17", "U17", "#9e9d24", 17),
    (305, "U11", "U11", "U11", "#00838f", 11),
    (306, "U19", "U19", "U19", "#ef6c00", 19),
    (307, "U9", "U9", "U9", "#6a1b9a", 9),
    (308, "Recreational", "Recreanten", "Récréatifs", "#5d4037", None),
    (309, "U21", "U21", "U21", "#c62828", 21),
    (310, "Kangaroos", "Kangoeroes", "Kangourous", "#ad1457", 7),
)
COMMITTEE_CATEGORY = (320, "Board", "Bestuur", "Comité", "#455a64", None)
TEAM_TYPE = {"id": 1, "name": "Team"}
COMMITTEE_TYPE = {"id": 2, "name": "Committee"}

CONTACT_FUNCTIONS = (
    # id, EN, NL, FR, type
    (501, "Player", "Speler", "Joueur", 1),
    (502, "Coach", "Trainer", "Entraîneur", 2),
    (503, "Team manager", "Ploegverantwoordelijke", "Délégué", 3),
    (504, "Referee", "Scheidsrechter", "Arbitre", 4),
)

MEMBERSHIP_TYPES = (
    # id, EN, NL, FR
    (701, "Competitive player", "Competitiespeler", "Joueur de compétition"),
    (702, "Recreational member", "Recreant", "Membre récréatif"),
    (703, "Supporting member", "Steunend lid", "Membre sympathisant"),
)

EVENT_TYPES = (
    {"id": 1, "name": "Match"},
    {"id": 2, "name": "Training"},
    {"id": 3, "name": "Activity"},
)
EVENT_SUB_TYPES = (
    # id, EN, NL, FR, colour, event type
    (31, "Competition match", "Competitiewedstrijd", "Match de championnat", "#c62828", 1),
    (32, "Friendly match", "Vriendschappelijke wedstrijd", "Match amical", "#ef6c00", 1),
    (33, "Field training", "Veldtraining", "Entraînement extérieur", "#2e7d32", 2),
    (34, "Hall training", "Zaaltraining", "Entraînement en salle", "#1565c0", 2),
    (35, "Team meeting", "Ploegvergadering", "Réunion d'équipe", "#6a1b9a", 3),
)

# Two extra fields, as Twizzit attaches them to contacts: a select and a free text.
SHIRT_SIZES = ("XS", "S", "M", "L", "XL")
SHIRT_SIZE_FIELD = {
    "id": 901,
    "name": language_map("Shirt size", "Shirtmaat", "Taille du maillot"),
    "type": "select",
    "location": "contact",
    "extraFieldAttributes": [
        {"id": 9011 + index, "name": language_map(size, size, size)}
        for index, size in enumerate(SHIRT_SIZES)
    ],
}
MEDICAL_FIELD = {
    "id": 902,
    "name": language_map("Medical information", "Medische info", "Infos médicales"),
    "type": "text",
    "location": "contact",
    "extraFieldAttributes": [],
}
MEDICAL_NOTES = ("", "", "Astma", "Allergie: noten", "Bril", "Diabète type 1")
