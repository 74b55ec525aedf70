"""The personal-data detector: what it must catch before an idea reaches the projector, and the
numbers citizens type every day (dates, prices, years, areas) that it must leave alone."""

from __future__ import annotations

import pytest

from workshop.meetings import personal_data

POSITIVES = [
    # phone numbers, Danish and Norwegian, with and without country code and spacing
    ("Ring til mig på 22 33 44 55 hvis I vil høre mere", "phone"),
    ("Mit nummer er 28934512", "phone"),
    ("sms 2893 4512 så kommer jeg", "phone"),
    ("+45 28 93 45 12 - spørg efter Lone", "phone"),
    ("+4528934512", "phone"),
    ("0045 28934512", "phone"),
    ("Ring meg på 912 34 567", "phone"),
    ("Tlf. +47 912 34 567 (Kari)", "phone"),
    ("Send en melding til +47 41234567", "phone"),
    ("ring 47 61 22 90 for nøkkel til gymsalen", "phone"),
    ("tlf: 55-12-34-90", "phone"),
    # e-mail
    ("Skriv til lone.hansen@gmail.com for mere info", "email"),
    ("kari_nordmann+park@online.no vil gjerne være med", "email"),
    ("Kontakt FORMAND@grundejerforening-vest.dk", "email"),
    # CPR and fødselsnummer
    ("Min søns cpr er 120512-3456, han mangler en plads", "national_id"),
    ("CPR 0101901234", "national_id"),
    ("personnummer 311299 4321", "national_id"),
    ("fødselsnummer 01017043559 hvis dere trenger det", "national_id"),
    ("f.nr 15076510013", "national_id"),
    # street addresses with a house number
    ("Jeg bor på Vestergade 12 og der er for meget trafik", "address"),
    ("Kom forbi Storgata 5B, så viser jeg hullet i veien", "address"),
    ("Hullet i asfalten ud for Nørrebrogade 221, 2. th", "address"),
    ("Mangler lys ved Skovvej 3", "address"),
    ("Naboen i Kongens gate 14 spiller høy musikk", "address"),
    ("Bekkestuveien 27 trenger fartsdumper", "address"),
    ("Karl Johans gate 22 er stengt", "address"),
    ("Parkering foran H.C. Andersens Boulevard 18", "address"),
    ("Solbakken 7a har ikke fået ryddet sne", "address"),
    ("Bjørnstjerne Bjørnsons vei 4 mangler gatelys", "address"),
]

NEGATIVES = [
    "Flere bænke i skyggen!",
    "Mødet den 12.05.2026 var godt",
    "Byggeriet skal stå færdigt 1. juli 2027",
    "Legepladsen koster kr. 1.500.000 - det er for dyrt",
    "Billetten koster kr. 1.500",
    "Prisen er 2 500 kr for et årskort",
    "Parken er 10.000 m² og skal deles i to",
    "Parken er 10 000 m2",
    "Vi har ventet siden 2019",
    "Planen gjelder 2025-2030",
    "Det tager 15 minutter at gå fra Vestergade til skolen",
    "Fartsgrensen i Storgata bør være 30 km/t",
    "Vi er 240 elever og 18 lærere",
    "Budsjettet er 12 345 678 kroner",
    "Åbningstid 08.00-16.00 hverdage",
    "Buslinje 150S og 5C kører for sjældent",
    "Skolevej 3 gange om dagen er for meget",
    "Ring 3 skal have støjskærm",
    "E45 larmer om natten",
    "Max 8 personer pr. bord",
    "Vi vil have 50 % flere cykelstier",
    "Sag nr. 2024-118877 i kommunen",
    "Hold afstand 1,5 meter",
    "Skriv til kommunen på deres hjemmeside",
    "Elever i 4.-6. klasse skal have bedre cykelparkering",
    "Kl. 07:45-08:15 er der kø ved skolen",
    "Vejen til skolen er farlig",
    "Vi skal have flere parkeringspladser 2026",
    "Hold bussen til Storgata hvert 10. minutt",
    "1234567890 er ikke et cpr-nummer",
]


@pytest.mark.parametrize(("text", "kind"), POSITIVES)
def test_personal_data_is_found(text: str, kind: str) -> None:
    kinds = {finding.kind for finding in personal_data.find_personal_data(text)}
    assert kind in kinds, f"{text!r}: found {kinds}"


@pytest.mark.parametrize("text", NEGATIVES)
def test_everyday_numbers_are_left_alone(text: str) -> None:
    assert personal_data.find_personal_data(text) == (), text


def test_a_finding_points_at_the_words() -> None:
    text = "Ring til 22 33 44 55 eller skriv til a@b.dk"
    findings = personal_data.find_personal_data(text)
    assert [(f.kind, text[f.start : f.end]) for f in findings] == [
        ("phone", "22 33 44 55"),
        ("email", "a@b.dk"),
    ]
    assert personal_data.kinds(text) == ("phone", "email")


def test_the_detector_needs_no_database_and_no_ui() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(personal_data))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert not imported & {"sqlite_utils", "streamlit", "sqlite3"}
