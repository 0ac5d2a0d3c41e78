"""The fixed choices of the report form, with their Danish labels."""

KINDS = {
    "near_miss": "Nærved-ulykke",
    "accident": "Arbejdsulykke",
    "violence": "Vold eller trusler",
    "use_of_force": "Magtanvendelse",
}
STATUSES = {"draft": "Kladde", "submitted": "Indsendt", "reviewed": "Gennemgået", "closed": "Afsluttet"}
PLACE_TYPES = {
    "room": "Borgerens bolig eller værelse",
    "common": "Fællesareal",
    "kitchen": "Køkken",
    "bathroom": "Bad eller toilet",
    "outdoor": "Udendørs",
    "transport": "Transport eller udflugt",
    "office": "Kontor eller personalerum",
    "other": "Andet",
}
VIOLENCE_TYPES = {
    "physical": "Fysisk vold (slag, spark, bid, spyt, kast m.m.)",
    "verbal": "Verbale trusler",
    "threatening": "Truende adfærd (også nonverbal og online)",
    # Psychological violence also covers harassment (BEK 1406/2020 on the psychosocial work environment).
    "harassment": "Chikane (krænkende handlinger, også online)",
}
SEVERITIES = {1: "Ingen skade", 2: "Lettere skade eller påvirkning", 3: "Moderat skade", 4: "Alvorlig skade"}
INJURY_TYPES = {
    "bruise": "Slag, stød eller blå mærker",
    "cut": "Sår eller rift",
    "bite": "Bid",
    "sprain": "Forstuvning eller forvridning",
    "fracture": "Brud",
    "back": "Ryg- eller belastningsskade",
    "burn": "Forbrænding eller ætsning",
    "psychological": "Psykisk påvirkning",
    "other": "Andet",
}
BODY_PARTS = {
    "head": "Hoved og ansigt",
    "neck": "Hals og nakke",
    "back": "Ryg",
    "torso": "Bryst og mave",
    "arm": "Arm eller skulder",
    "hand": "Hånd eller fingre",
    "leg": "Ben eller knæ",
    "foot": "Fod",
    "several": "Flere steder",
    "none": "Ingen fysisk skade",
}
EXPECTED_ABSENCE = {
    "none": "Intet fravær",
    "under_1": "Under 1 dag",
    "1_2": "1-2 dage",
    "3_35": "3 dage til 5 uger",
    "over_35": "Over 5 uger",
    "unknown": "Ved ikke endnu",
}
LEGAL_FRAMEWORKS = {"adult": "Voksne (serviceloven)", "child": "Børn og unge (voksenansvarsloven)"}
FORCE_CATEGORIES = {
    "adult": {
        "124c": "Fastholdelse eller føren til andet rum for at beskytte materielle værdier (§ 124 c)",
        "124d": "Fastholdelse, tilbageholdelse eller tilbageførsel ved fare (§ 124 d)",
        "136c": "Fastholdelse i hygiejnesituationer (§ 136 c)",
        "nodig": "Nødværge eller nødret",
        "uden_hjemmel": "Indgreb uden lovhjemmel",
        "forhaand": "Forhåndsgodkendt indgreb (alarm, dørlås, stofseler m.m.)",
    },
    "child": {
        "8": "Fastholdelse for at afværge skade (§ 8)",
        "9": "Fysisk magt, herunder føren til andet rum (§ 9)",
        "12": "Tilbageholdelse på delvis lukket afdeling (§ 12)",
        "13": "Fastholdelse (§ 13)",
        "19": "Kontrol af telefon, internet eller post (§ 19)",
        "other": "Anden kategori efter voksenansvarsloven",
    },
}

# What happens now, for the person who just reported: the receipt's list, per kind, in the order
# it happens. Each line is a promise the follow-up keeps (defusing and debriefing are duties on the
# leader's front page; EASY and the insurer are deadlines; use of force is forwarded).
NEXT_STEPS = {
    "violence": [
        "Din leder tilbyder dig defusing nu, i samme vagt: en kort samtale om det, der skete. "
        "Du må gerne sige nej tak.",
        "Mellem 1 og 3 dage efter episoden tilbydes du debriefing.",
        "Er du kommet til skade, så kontakt egen læge eller skadestuen, og sig det til din leder. "
        "Får du fravær efter episoden, anmelder din leder den til Arbejdstilsynet, og du får en kopi.",
        "Vil du anmelde episoden til politiet, hjælper din leder dig.",
        "Arbejdsmiljørepræsentanten kan se indberetningen og kan støtte dig.",
    ],
    "accident": [
        "Er du kommet til skade, så kontakt egen læge eller skadestuen.",
        "Bliver du fraværende, så sig det til din leder. Din leder anmelder ulykken til Arbejdstilsynet, "
        "og du får en kopi.",
        "Din leder gennemgår ulykken, og arbejdsmiljøgruppen bruger den til at forebygge.",
    ],
    "near_miss": [
        "Din leder gennemgår hændelsen, så den ikke sker igen.",
        "Arbejdsmiljøgruppen bruger nærved-ulykker til at forebygge, før nogen kommer til skade.",
    ],
    "use_of_force": [
        "Husk den lovpligtige blanket i omsorgssystemet, hvis den ikke er udfyldt.",
        "Din leder sender magtanvendelsen videre til borgerens kommune og til socialtilsynet.",
        "Var episoden voldsom for dig, tilbyder din leder dig defusing og debriefing.",
    ],
}
