"""Word lists for demo people and addresses: common Norwegian names, streets and postal codes."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

FEMALE_FIRST_NAMES = (
    "Emma", "Nora", "Sara", "Ingrid", "Maja", "Sofie", "Thea", "Ida", "Emilie", "Julie", "Hanna", "Ella",
    "Amalie", "Tiril", "Marte", "Kari", "Anne", "Hilde", "Silje", "Kristin", "Marit", "Ragnhild", "Solveig",
    "Astrid", "Liv", "Tone", "Camilla", "Linn", "Mari", "Aisha", "Amina", "Selma", "Frida", "Sigrid",
)
MALE_FIRST_NAMES = (
    "Jakob", "Emil", "Noah", "Oliver", "Filip", "William", "Lucas", "Henrik", "Magnus", "Sander", "Jonas",
    "Tobias", "Mathias", "Aksel", "Even", "Sindre", "Ola", "Per", "Lars", "Knut", "Bjørn", "Espen", "Geir",
    "Trond", "Håkon", "Eirik", "Ole", "Kristian", "Anders", "Torbjørn", "Ali", "Yusuf", "Elias", "Isak",
)
LAST_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
    "Jacobsen", "Dahl", "Jørgensen", "Henriksen", "Lund", "Halvorsen", "Sørensen", "Moen", "Gundersen",
    "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Bakken", "Mathisen", "Lie",
    "Amundsen", "Rasmussen", "Lunde", "Solheim", "Berge", "Nygård", "Holm", "Lien", "Hauge", "Myhre",
    "Sæther", "Aas", "Ahmed", "Nguyen", "Hussain", "Khan", "Ali", "Kowalski", "Andersson",
)


@dataclass(frozen=True)
class Place:
    """A municipality with its county, postal codes and a few street names."""

    municipality: str
    county_number: str
    postal_codes: tuple[tuple[str, str], ...]
    streets: tuple[str, ...]


OSLO = Place("Oslo", "03", (
    ("0150", "Oslo"), ("0151", "Oslo"), ("0154", "Oslo"), ("0158", "Oslo"), ("0160", "Oslo"), ("0179", "Oslo"),
    ("0181", "Oslo"), ("0187", "Oslo"), ("0250", "Oslo"), ("0355", "Oslo"), ("0450", "Oslo"), ("0557", "Oslo"),
    ("0661", "Oslo"), ("0870", "Oslo"), ("0975", "Oslo"), ("1155", "Oslo"),
), (
    "Kirkegata", "Tollbugata", "Rådhusgata", "Prinsens gate", "Dronningens gate", "Akersgata", "Kongens gate",
    "Storgata", "Thorvald Meyers gate", "Bogstadveien", "Trondheimsveien", "Grønlandsleiret", "Ullevålsveien",
    "Sognsveien", "Vogts gate", "Pilestredet", "Tøyengata", "Kjelsåsveien", "Lambertseterveien",
))
LILLESTROM = Place("Lillestrøm", "32", (("2000", "Lillestrøm"), ("2007", "Kjeller"), ("2010", "Strømmen")), (
    "Storgata", "Jernbanegata", "Nittedalsgata", "Solheimsgata", "Kirkegata", "Instituttveien",
))
BAERUM = Place("Bærum", "32", (("1337", "Sandvika"), ("1338", "Sandvika"), ("1352", "Kolsås")), (
    "Sandviksveien", "Rådhustorget", "Brynsveien", "Kolsåsstien", "Løkkeåsveien",
))
ASKER = Place("Asker", "32", (("1384", "Asker"), ("1385", "Asker")), ("Askerveien", "Knud Askers vei", "Torvveien"))
NORDRE_FOLLO = Place("Nordre Follo", "32", (("1400", "Ski"), ("1408", "Kråkstad")), (
    "Jernbaneveien", "Idrettsveien", "Kirkeveien",
))
HOME_PLACES = (OSLO, OSLO, OSLO, LILLESTROM, BAERUM, ASKER, NORDRE_FOLLO)


@dataclass(frozen=True)
class Address:
    """A street address with postal code and place."""

    street: str
    postal_code: str
    postal_place: str
    municipality: str
    county_number: str


def address_in(place: Place, rng: random.Random) -> Address:
    """A made-up address (a real street name, a random house number) in `place`."""
    postal_code, postal_place = rng.choice(place.postal_codes)
    street = f"{rng.choice(place.streets)} {rng.randint(1, 120)}"
    return Address(street, postal_code, postal_place, place.municipality, place.county_number)


def email_local_part(*names: str) -> str:
    """first.last for an e-mail address: lower case, æ/ø/å spelt ae/o/aa, other accents dropped."""
    text = ".".join(n for n in names if n).lower()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "aa").replace(" ", ".").replace("-", ".")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return text


def mobile_number(rng: random.Random) -> str:
    """A made-up Norwegian mobile number (+47, eight digits starting with 4 or 9)."""
    return f"+47{rng.choice('49')}{rng.randint(0, 9_999_999):07d}"
