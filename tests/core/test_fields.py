"""Answers typed in chat, read as field values in either language, and shown back."""

import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from pmobot.conversation import recognizers
from pmobot.conversation.errors import FieldError
from pmobot.conversation.fieldtypes import ParseContext, describe_expected, field_type, format_value, parse_answer
from pmobot.conversation.spec import FieldSpec, parse_spec
from pmobot.i18n import catalog, format_money, placeholders

TODAY = date(2026, 11, 26)  # a Thursday
EN = ParseContext("en", TODAY)
FR = ParseContext("fr-FR", TODAY)

DEPARTMENTS = [
    {"value": "sales", "label": {"en": "Sales", "fr": "Ventes"}},
    {"value": "hr", "label": {"en": "Human resources", "fr": "Ressources humaines"}, "synonyms": ["RH", "HR"]},
    {"value": "finance", "label": {"en": "Finance", "fr": "Finance"}},
    {"value": "fin_ops", "label": {"en": "Financial operations", "fr": "Opérations financières"}},
]


def make_field(type_: str, **extra: Any) -> FieldSpec:
    """One field, built the way specs are loaded (defaults included)."""
    raw = {"id": "answer", "type": type_, "prompt": {"en": "Question?", "fr": "Question ?"},
           "label": {"en": "Answer", "fr": "Réponse"}, **extra}
    spec = parse_spec({"id": "t", "title": {"en": "T", "fr": "T"}, "on_complete": "noop", "fields": [raw]})
    return spec.fields[0]


def error_of(field: FieldSpec, text: str, ctx: ParseContext = EN) -> FieldError:
    with pytest.raises(FieldError) as info:
        parse_answer(field, text, ctx)
    return info.value


# --- catalogs -------------------------------------------------------------------


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    en = {k: v for k, v in catalog("en").items() if k.startswith("field.")}
    fr = {k: v for k, v in catalog("fr").items() if k.startswith("field.")}
    assert en.keys() == fr.keys()
    assert {"field.yes", "field.no", "field.error.date", "field.hint.date"} <= en.keys()
    for key in en:
        assert placeholders(en[key]) == placeholders(fr[key]), key


# --- text -----------------------------------------------------------------------


def test_text_is_stripped_and_kept_as_typed() -> None:
    field = make_field("text")
    assert parse_answer(field, "  Outil de suivi des Contrats  ", EN) == "Outil de suivi des Contrats"


def test_text_drops_control_characters_but_keeps_newlines_and_tabs() -> None:
    field = make_field("long_text")
    assert parse_answer(field, "line one\x00\x07\r\nline\ttwo\x1b", FR) == "line one\nline\ttwo"


def test_text_default_limit_names_the_length_and_the_limit() -> None:
    field = make_field("text")  # 150 characters by default
    error = error_of(field, "x" * 180)
    assert error.key == "field.error.too_long"
    assert error.message("en") == "That's 180 characters; the limit is 150. Please shorten it."
    assert error.message("fr") == "Cela fait 180 caractères ; la limite est de 150. Merci de raccourcir."


def test_text_min_length() -> None:
    field = make_field("long_text", min_length=20)
    error = error_of(field, "too short", FR)
    assert error.key == "field.error.too_short"
    assert "9" in error.message("fr") and "20" in error.message("fr")
    assert "at least 20" in error.message("en")
    assert parse_answer(field, "long enough to be accepted", FR) == "long enough to be accepted"


def test_empty_answer_is_refused_for_every_type() -> None:
    for type_ in ("text", "integer", "money", "date", "yes_no", "user"):
        field = make_field(type_)
        assert error_of(field, "  \n ").key == "field.error.empty"
    field = make_field("choice", choices=DEPARTMENTS)
    error = error_of(field, "")
    assert "Je n'ai pas reçu de réponse" in error.message("fr")


def test_user_is_the_stripped_reference() -> None:
    field = make_field("user")
    assert parse_answer(field, "  <@U123ABC>  ", EN) == "<@U123ABC>"
    assert parse_answer(field, " marie.dupont@example.org", FR) == "marie.dupont@example.org"


# --- yes / no -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["yes", "Y", "yep", "ok", "OK!", "true", "Oui", "o", "ouais", "vrai", "d'accord", "D’accord", "bien sûr",
             "oui, merci", "Yes please", "👍"],
)
def test_yes(text: str) -> None:
    assert parse_answer(make_field("yes_no"), text, FR) is True
    assert parse_answer(make_field("yes_no"), text, EN) is True


@pytest.mark.parametrize("text", ["no", "N", "nope", "false", "Non", "non merci", "faux", "pas du tout", "nan"])
def test_no(text: str) -> None:
    assert parse_answer(make_field("yes_no"), text, EN) is False


@pytest.mark.parametrize("ctx", [EN, FR])
def test_yes_no_numbers_are_the_ones_shown(ctx: ParseContext) -> None:
    """Chat shows "1) Yes 2) No": each number shown picks that option, in each language."""
    field = make_field("yes_no")
    options = field_type(field).options(field, ctx.locale)
    assert [o.value for o in options] == ["yes", "no"]
    for number, option in enumerate(options, 1):
        assert parse_answer(field, str(number), ctx) is (option.value == "yes")
        assert parse_answer(field, f"{number})", ctx) is (option.value == "yes")
    assert error_of(field, "3", ctx).key == "field.error.yes_no"


def test_yes_no_error_in_both_languages() -> None:
    error = error_of(make_field("yes_no"), "peut-être")
    assert error.message("en") == "Please answer yes or no."
    assert error.message("fr") == "Répondez par oui ou par non."


# --- integer --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, locale, expected",
    [
        ("20", "en", 20),
        ("1 500", "en", 1500),
        ("1 500", "fr", 1500),
        ("1\u202f500", "fr", 1500),
        ("1,500", "en", 1500),
        ("1.500", "fr", 1500),
        ("20 personnes", "fr", 20),
        ("20 people", "fr", 20),
        ("about 20", "en", 20),
        ("environ 20", "fr", 20),
        ("~20", "en", 20),
        ("twenty", "en", 20),
        ("twenty", "fr", 20),
        ("vingt", "fr", 20),
        ("vingt", "en", 20),
        ("vingt-cinq", "fr", 25),
        ("twenty five people", "en", 25),
        ("une vingtaine", "fr", 20),
        ("3k", "en", 3000),
    ],
)
def test_integer(text: str, locale: str, expected: int) -> None:
    value = parse_answer(make_field("integer"), text, ParseContext(locale, TODAY))
    assert value == expected and type(value) is int


@pytest.mark.parametrize("text", ["abc", "20 à 30", "between 10 and 20", "12/04", "1.2.3"])
def test_integer_unreadable(text: str) -> None:
    error = error_of(make_field("integer"), text)
    assert error.key == "field.error.integer"
    assert error.message("en") == "I couldn't read that as a whole number. Please give a number such as 20."
    assert error.message("fr") == "Je n'ai pas reconnu un nombre entier. Indiquez un nombre comme 20."


def test_integer_with_decimals() -> None:
    error = error_of(make_field("integer"), "2.5")
    assert error.key == "field.error.not_whole"
    assert "sans décimales" in error.message("fr")


def test_integer_range_names_the_limits_in_the_locale() -> None:
    field = make_field("integer", min=1, max=5000)
    error = error_of(field, "9000", FR)
    assert error.key == "field.error.range"
    assert error.message("en") == "Please give a value between 1 and 5,000."
    assert error.message("fr") == "Indiquez une valeur comprise entre 1 et 5\u202f000."
    assert error_of(field, "0").key == "field.error.range"
    assert parse_answer(field, "5000", EN) == 5000
    assert parse_answer(field, "1", EN) == 1


def test_integer_only_min_or_only_max() -> None:
    assert error_of(make_field("integer", min=10), "3").message("en") == "Please give a value of at least 10."
    assert error_of(make_field("integer", max=10), "30").message("fr") == "Indiquez une valeur d'au plus 10."


# --- number ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, locale, expected",
    [
        ("2.5", "en", 2.5),
        ("2.5", "fr", 2.5),
        ("2,5", "en", 2.5),
        ("2,5", "fr", 2.5),
        ("1 234,5", "fr", 1234.5),
        ("1,234.5", "en", 1234.5),
        ("1.234,5", "fr", 1234.5),
        ("1,234", "en", 1234.0),  # English: comma groups thousands
        ("1,234", "fr", 1.234),  # French: comma is the decimal mark
        ("1.234", "en", 1.234),
        ("1.234", "fr", 1234.0),
        ("0,5 jour", "fr", 0.5),
        ("-3", "en", -3.0),
        ("7", "en", 7.0),
    ],
)
def test_number(text: str, locale: str, expected: float) -> None:
    value = parse_answer(make_field("number"), text, ParseContext(locale, TODAY))
    assert value == pytest.approx(expected) and type(value) is float


def test_number_errors() -> None:
    error = error_of(make_field("number"), "beaucoup", FR)
    assert error.message("fr") == "Je n'ai pas reconnu un nombre. Indiquez un nombre comme 2,5 ou 1 234,5."
    assert "such as 2.5" in error.message("en")
    bounded = make_field("number", min=0.5, max=10)
    assert error_of(bounded, "0,2", FR).message("fr") == "Indiquez une valeur comprise entre 0,5 et 10."
    assert error_of(bounded, "12.5").message("en") == "Please give a value between 0.5 and 10."


# --- money ----------------------------------------------------------------------


def fr_money(amount: int, currency: str = "EUR") -> str:
    """A whole amount as French text shows it: the spacing is the i18n module's choice."""
    return format_money(amount, currency, "fr")


def eur(amount: str) -> dict:
    return {"amount": amount, "currency": "EUR"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("30 k€", eur("30000")),
        ("30k€", eur("30000")),
        ("30 K EUR", eur("30000")),
        ("30 kEUR", eur("30000")),
        ("30000 EUR", eur("30000")),
        ("30 000 €", eur("30000")),
        ("30\u00a0000\u00a0€", eur("30000")),
        ("€30,000", eur("30000")),
        ("30.000 €", eur("30000")),
        ("1,5 M€", eur("1500000")),
        ("1.5M", eur("1500000")),
        ("30 mille euros", eur("30000")),
        ("30 thousand euros", eur("30000")),
        ("30000", eur("30000")),
        ("1 234,50 €", eur("1234.5")),
        ("1,234.56 EUR", eur("1234.56")),
        ("budget : 45 k€", eur("45000")),
        ("$5,000", {"amount": "5000", "currency": "USD"}),
        ("5000 USD", {"amount": "5000", "currency": "USD"}),
        ("5 000 dollars", {"amount": "5000", "currency": "USD"}),
        ("US$ 200", {"amount": "200", "currency": "USD"}),
        ("£200", {"amount": "200", "currency": "GBP"}),
        ("200 GBP", {"amount": "200", "currency": "GBP"}),
        ("500 livres sterling", {"amount": "500", "currency": "GBP"}),
        ("500 pounds", {"amount": "500", "currency": "GBP"}),
        ("CHF 1'000", {"amount": "1000", "currency": "CHF"}),
        ("1000 francs suisses", {"amount": "1000", "currency": "CHF"}),
        ("1000 Swiss francs", {"amount": "1000", "currency": "CHF"}),
    ],
)
def test_money(text: str, expected: dict) -> None:
    assert parse_answer(make_field("money"), text, FR) == expected
    assert parse_answer(make_field("money"), text, EN) == expected


def test_money_in_words() -> None:
    assert parse_answer(make_field("money"), "trente mille euros", FR) == eur("30000")
    assert parse_answer(make_field("money"), "thirty thousand dollars", FR) == {"amount": "30000", "currency": "USD"}


def test_money_default_currency_comes_from_field_then_context() -> None:
    assert parse_answer(make_field("money", currency="CHF"), "1200", EN) == {"amount": "1200", "currency": "CHF"}
    ctx = ParseContext("en", TODAY, default_currency="GBP")
    assert parse_answer(make_field("money"), "1200", ctx) == {"amount": "1200", "currency": "GBP"}
    # A currency the user types wins over both.
    assert parse_answer(make_field("money", currency="CHF"), "$1200", ctx) == {"amount": "1200", "currency": "USD"}


# "-5 €" is an amount now, with its sign: whether it may be negative is the field's rule
# (issue 9: "-5000" was "not an amount"); see tests/core/test_understanding.py.
@pytest.mark.parametrize("text", ["a lot", "30 € 40 €", "12/03/2027"])
def test_money_unreadable(text: str) -> None:
    error = error_of(make_field("money"), text)
    assert error.key == "field.error.money"
    assert error.message("en") == (
        "I couldn't read that as an amount. Please give an amount such as €30,000, 30k€ or $5,000."
    )
    assert error.message("fr").startswith(
        f"Je n'ai pas reconnu un montant. Indiquez un montant comme {fr_money(30000)}, 30 k€"
    )


def test_money_example_uses_the_field_currency() -> None:
    error = error_of(make_field("money", currency="USD"), "n/a")
    assert "US$30,000" in error.message("en")


def test_money_with_two_currencies() -> None:
    error = error_of(make_field("money"), "30 € ou 35 $")
    assert error.key == "field.error.money_currencies"
    assert "(EUR, USD)" in error.message("fr") and "une seule devise" in error.message("fr")


def test_money_limits_are_shown_as_amounts() -> None:
    field = make_field("money", min=1000, max=2_000_000)
    error = error_of(field, "3 M€", FR)
    assert error.message("fr") == f"Indiquez une valeur comprise entre {fr_money(1000)} et {fr_money(2_000_000)}."
    assert error.message("en") == "Please give a value between €1,000 and €2,000,000."
    assert error_of(field, "$500").message("en") == "Please give a value between US$1,000 and US$2,000,000."
    assert parse_answer(field, "2 M€", FR) == eur("2000000")


# --- date -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15/03/2027", "2027-03-15"),
        ("15-03-2027", "2027-03-15"),
        ("15.03.2027", "2027-03-15"),
        ("2027-03-15", "2027-03-15"),
        ("15/03/27", "2027-03-15"),
        ("5/3/2027", "2027-03-05"),  # day first
        ("03/15/2027", "2027-03-15"),  # 15 cannot be a month: month first
        ("15/03", "2027-03-15"),
        ("15 mars 2027", "2027-03-15"),
        ("15 Mars 2027", "2027-03-15"),
        ("15 March 2027", "2027-03-15"),
        ("March 15, 2027", "2027-03-15"),
        ("march 15th 2027", "2027-03-15"),
        ("the 15th of March", "2027-03-15"),
        ("March 15", "2027-03-15"),
        ("15 mars", "2027-03-15"),
        ("le 15 mars", "2027-03-15"),
        ("mardi 16 mars 2027", "2027-03-16"),
        ("1er mars", "2027-03-01"),
        ("premier avril", "2027-04-01"),
        ("12 décembre", "2026-12-12"),  # later this year
        ("26 novembre", "2026-11-26"),  # today counts
        ("25 novembre", "2027-11-25"),  # yesterday's date: next year
        ("15 févr. 2027", "2027-02-15"),
        ("today", "2026-11-26"),
        ("aujourd'hui", "2026-11-26"),
        ("Aujourd’hui", "2026-11-26"),
        ("tomorrow", "2026-11-27"),
        ("demain", "2026-11-27"),
        ("après-demain", "2026-11-28"),
        ("in 3 weeks", "2026-12-17"),
        ("dans 3 semaines", "2026-12-17"),
        ("in two weeks", "2026-12-10"),
        ("dans 10 jours", "2026-12-06"),
        ("in 2 months", "2027-01-26"),
        ("dans 5 jours ouvrés", "2026-12-03"),
        ("end of March", "2027-03-31"),
        ("fin mars", "2027-03-31"),
        ("fin février 2028", "2028-02-29"),
        ("fin novembre", "2026-11-30"),
        ("mi-mars", "2027-03-15"),
        ("début avril", "2027-04-01"),
        ("fin du mois", "2026-11-30"),
        ("end of the year", "2026-12-31"),
        ("fin d'année", "2026-12-31"),
        ("next monday", "2026-11-30"),
        ("lundi prochain", "2026-11-30"),
        ("next friday", "2026-12-04"),  # the friday of next week
        ("vendredi prochain", "2026-11-27"),  # the coming friday
        ("vendredi", "2026-11-27"),
        ("jeudi", "2026-12-03"),  # a bare weekday is never today
        ("this thursday", "2026-11-26"),
    ],
)
def test_date(text: str, expected: str) -> None:
    assert parse_answer(make_field("date"), text, EN) == expected
    assert parse_answer(make_field("date"), text, FR) == expected


def test_date_leap_day_without_year_finds_the_next_leap_year() -> None:
    assert parse_answer(make_field("date"), "29 février", FR) == "2028-02-29"


def test_date_fallback_to_recognizers() -> None:
    # Phrasings our own rules do not know, read by recognizers-text with today as reference.
    assert parse_answer(make_field("date"), "the day after tomorrow", EN) == "2026-11-28"
    assert parse_answer(make_field("date"), "Christmas", EN) == "2026-12-25"
    assert parse_answer(make_field("date"), "Noël", FR) == "2026-12-25"


@pytest.mark.parametrize("text", ["31/02/2027", "30 février 2027", "2027-13-01", "32/01/2027"])
def test_date_that_does_not_exist(text: str) -> None:
    error = error_of(make_field("date"), text, FR)
    assert error.key == "field.error.date_invalid"
    assert error.message("fr") == f"La date « {text} » n'existe pas. Vérifiez le jour et le mois."
    assert error.message("en") == f"There is no such date as “{text}”. Please check the day and the month."


# "mars 2027" and "next week" are periods, read as their last (working) day since issue 9,
# as in an opening sentence; see tests/core/test_understanding.py.
@pytest.mark.parametrize("text", ["soon", "bientôt", "42", "la semaine des quatre jeudis"])
def test_date_unreadable(text: str) -> None:
    error = error_of(make_field("date"), text)
    assert error.key == "field.error.date"
    assert error.message("en") == (
        "I couldn't read that as a date. Please give a date such as 15/03/2027, 15 March 2027 or 2027-03-15."
    )
    assert error.message("fr") == (
        "Je n'ai pas reconnu une date. Indiquez une date comme 15/03/2027, 15 mars 2027 ou 2027-03-15."
    )


def test_future_date_refuses_the_past() -> None:
    field = make_field("date", future=True)
    error = error_of(field, "15/03/2020", FR)
    assert error.key == "field.error.date_past"
    assert error.message("fr") == "Le 15 mars 2020 est déjà passé. Indiquez la date du jour ou une date ultérieure."
    assert error.message("en") == "15 March 2020 is in the past. Please give today's date or a later one."
    assert error_of(field, "hier").key == "field.error.date_past"
    assert parse_answer(field, "today", EN) == "2026-11-26"
    # Without ``future`` a past date is a fine answer (when something started).
    assert parse_answer(make_field("date"), "15/03/2020", EN) == "2020-03-15"


def test_dates_use_the_context_day_not_the_clock() -> None:
    ctx = ParseContext("en", date(2030, 6, 1))
    assert parse_answer(make_field("date"), "tomorrow", ctx) == "2030-06-02"
    assert parse_answer(make_field("date"), "15 March", ctx) == "2031-03-15"
    assert parse_answer(make_field("date"), "Christmas", ctx) == "2030-12-25"


# --- choice ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1", "sales"),
        ("2.", "hr"),
        ("#3", "finance"),
        ("option 4", "fin_ops"),
        ("sales", "sales"),
        ("Ventes", "sales"),
        ("VENTES", "sales"),
        ("human resources", "hr"),
        ("Ressources Humaines", "hr"),
        ("rh", "hr"),
        ("hum", "hr"),
        ("ress", "hr"),
        ("finance", "finance"),
        ("operations financieres", "fin_ops"),
        ("opé", "fin_ops"),
        ("fin_ops", "fin_ops"),
        ("Financial op", "fin_ops"),
    ],
)
def test_choice(text: str, expected: str) -> None:
    field = make_field("choice", choices=DEPARTMENTS)
    assert parse_answer(field, text, EN) == expected
    assert parse_answer(field, text, FR) == expected


@pytest.mark.parametrize("text", ["5", "0", "marketing", "sa"])
def test_choice_unknown_lists_the_options(text: str) -> None:
    error = error_of(make_field("choice", choices=DEPARTMENTS), text)
    assert error.key == "field.error.choice"
    assert error.message("en") == (
        "I didn't recognise that option. Please reply with the number or the name of one of: "
        "1. Sales, 2. Human resources, 3. Finance, 4. Financial operations."
    )
    assert error.message("fr").endswith(": 1. Ventes, 2. Ressources humaines, 3. Finance, 4. Opérations financières.")


def test_choice_ambiguous_prefix() -> None:
    error = error_of(make_field("choice", choices=DEPARTMENTS), "fina")
    assert error.key == "field.error.choice_ambiguous"
    assert error.message("en") == (
        "That could be 3. Finance, 4. Financial operations. Please type a little more of the name, or its number."
    )
    assert "Opérations financières" in error.message("fr")


# --- multi choice ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1, 3", ["sales", "finance"]),
        ("1 3", ["sales", "finance"]),
        ("3 1", ["sales", "finance"]),  # spec order, whatever the typed order
        ("1 et 3", ["sales", "finance"]),
        ("1 and 3", ["sales", "finance"]),
        ("1;2", ["sales", "hr"]),
        ("sales, hr", ["sales", "hr"]),
        ("sales hr", ["sales", "hr"]),
        ("ventes et ressources humaines", ["sales", "hr"]),
        ("Human resources", ["hr"]),
        ("2, 2, rh", ["hr"]),  # no duplicates
        ("all", ["sales", "hr", "finance", "fin_ops"]),
        ("tous", ["sales", "hr", "finance", "fin_ops"]),
        ("tout", ["sales", "hr", "finance", "fin_ops"]),
        ("none", []),
        ("aucun", []),
        ("Aucune", []),
    ],
)
def test_multi_choice(text: str, expected: list) -> None:
    field = make_field("multi_choice", choices=DEPARTMENTS)
    assert parse_answer(field, text, EN) == expected
    assert parse_answer(field, text, FR) == expected


def test_multi_choice_unknown_part() -> None:
    error = error_of(make_field("multi_choice", choices=DEPARTMENTS), "1, marketing")
    assert error.key == "field.error.multi_unknown"
    assert error.message("fr").startswith("Je n'ai pas reconnu « marketing ». Répondez par des numéros")
    assert "“marketing”" in error.message("en")


def test_multi_choice_limits() -> None:
    field = make_field("multi_choice", choices=DEPARTMENTS, min=1, max=2)
    low = error_of(field, "aucun")
    assert low.key == "field.error.multi_min"
    assert low.message("en").startswith("Please choose at least 1.")
    assert low.message("fr").startswith("Choisissez-en au moins 1.")
    high = error_of(field, "all")
    assert high.key == "field.error.multi_max"
    assert high.message("fr") == "Choisissez-en au plus 2."
    assert parse_answer(field, "1, 2", EN) == ["sales", "hr"]


# --- format_value ---------------------------------------------------------------


@pytest.mark.parametrize(
    "type_, extra, value, en, fr",
    [
        ("yes_no", {}, True, "Yes", "Oui"),
        ("yes_no", {}, False, "No", "Non"),
        ("choice", {"choices": DEPARTMENTS}, "hr", "Human resources", "Ressources humaines"),
        ("multi_choice", {"choices": DEPARTMENTS}, ["sales", "hr"], "Sales, Human resources",
         "Ventes, Ressources humaines"),
        ("multi_choice", {"choices": DEPARTMENTS}, [], "None", "Aucun"),
        ("money", {}, {"amount": "30000", "currency": "EUR"}, "€30,000", fr_money(30000)),
        ("money", {}, {"amount": "1234.5", "currency": "USD"}, "US$1,234.50", "1\u202f234,50\u00a0$US"),
        ("date", {}, "2027-03-15", "15 March 2027", "15 mars 2027"),
        ("number", {}, 2.5, "2.5", "2,5"),
        ("integer", {}, 1500, "1,500", "1\u202f500"),
        ("text", {}, "Outil", "Outil", "Outil"),
        ("date", {}, None, "—", "—"),
        ("text", {}, None, "—", "—"),
        ("date", {}, "not a date", "not a date", "not a date"),
        ("choice", {"choices": DEPARTMENTS}, "gone", "gone", "gone"),
    ],
)
def test_format_value(type_: str, extra: dict, value: Any, en: str, fr: str) -> None:
    field = make_field(type_, **extra)
    assert format_value(field, value, "en") == en
    assert format_value(field, value, "fr") == fr


def test_parsed_values_show_back() -> None:
    field = make_field("money")
    assert format_value(field, parse_answer(field, "30 k€", FR), "fr") == fr_money(30000)
    day = make_field("date")
    assert format_value(day, parse_answer(day, "March 15", EN), "fr") == "15 mars 2027"


# --- describe_expected ----------------------------------------------------------


@pytest.mark.parametrize(
    "type_, extra, en, fr",
    [
        ("date", {}, "A date, e.g. 15/03/2027", "Une date, par ex. 15/03/2027"),
        ("date", {"future": True}, "A date, e.g. 15/03/2027 (today or later)",
         "Une date, par ex. 15/03/2027 (aujourd'hui ou plus tard)"),
        ("choice", {"choices": DEPARTMENTS}, "Reply with a number or the name", "Répondez par un numéro ou par le nom"),
        ("multi_choice", {"choices": DEPARTMENTS}, "Reply with one or more numbers or names, e.g. 1, 3",
         "Répondez par un ou plusieurs numéros ou noms, par ex. 1, 3"),
        ("yes_no", {}, "Yes or no", "Oui ou non"),
        ("integer", {"min": 1, "max": 500}, "A whole number, e.g. 20 (between 1 and 500)",
         "Un nombre entier, par ex. 20 (entre 1 et 500)"),
        ("number", {"min": 0}, "A number, e.g. 2.5 (at least 0)", "Un nombre, par ex. 2,5 (au moins 0)"),
        ("money", {}, "An amount, e.g. €30,000", f"Un montant, par ex. {fr_money(30000)}"),
        ("money", {"currency": "USD", "max": 1000000}, "An amount, e.g. US$30,000 (at most US$1,000,000)",
         f"Un montant, par ex. {fr_money(30000, 'USD')} (au plus {fr_money(1_000_000, 'USD')})"),
        ("text", {}, "A short text, up to 150 characters", "Un texte court, 150 caractères au plus"),
        ("long_text", {}, "A few sentences, up to 3,000 characters", "Quelques phrases, 3\u202f000 caractères au plus"),
        ("user", {}, "A person: @name or an email address", "Une personne : @nom ou une adresse e-mail"),
    ],
)
def test_describe_expected(type_: str, extra: dict, en: str, fr: str) -> None:
    field = make_field(type_, **extra)
    assert describe_expected(field, "en") == en
    assert describe_expected(field, "fr") == fr


# --- recognizers are loaded lazily, once ----------------------------------------


def test_plain_answers_do_not_load_recognizers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(kind: str, locale: str) -> None:
        raise AssertionError(f"recognizers loaded for {kind}/{locale}")

    monkeypatch.setattr(recognizers, "_model", refuse)
    assert parse_answer(make_field("integer"), "20 personnes", FR) == 20
    assert parse_answer(make_field("date"), "15 mars", FR) == "2027-03-15"
    assert parse_answer(make_field("money"), "30 k€", FR) == eur("30000")


def test_recognizer_models_are_built_once() -> None:
    parse_answer(make_field("integer"), "twelve", EN)
    first = recognizers._model("number", "en")
    parse_answer(make_field("integer"), "thirteen", EN)
    assert recognizers._model("number", "en") is first


def test_importing_does_not_load_recognizers() -> None:
    code = (
        "import sys, pmobot.conversation.fieldtypes, pmobot.conversation.prefill\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('recognizers'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
