from __future__ import annotations

from api.pages.highlight import highlight, sentence_span


def test_shared_terms_are_marked_whole_words_and_inside_compounds() -> None:
    text = "Vi bygger laddinfrastruktur och el till elbilar."
    marked = highlight(text, ["infrastruktur", "el"])
    assert '<mark class="term">laddinfrastruktur</mark>' in marked
    assert '<mark class="term">el</mark>' in marked
    assert '<mark class="term">Vi</mark>' not in marked
    assert marked.count("<mark") == 2  # a short term only as a whole word, not in "elbilar"


def test_the_closest_sentence_is_found_despite_normalised_whitespace() -> None:
    text = "Första meningen.   Andra  meningen\nmed radbrytning. Tredje."
    sentence = "Andra meningen med radbrytning."
    start, end = sentence_span(text, sentence)
    assert text[start:end] == "Andra  meningen\nmed radbrytning"
    marked = highlight(text, ["radbrytning"], sentence)
    assert marked.count('<mark class="sentence">') == 1
    inner = marked.split('<mark class="sentence">')[1].split("</mark>", 1)[0]
    assert inner.startswith("Andra") and "Första" not in marked.split("<mark")[1]
    assert '<mark class="term">radbrytning</mark></mark>' in marked


def test_text_is_escaped_and_nothing_is_lost() -> None:
    text = 'Tags <script>alert("x")</script> & "quotes" stay text.'
    marked = highlight(text, ["script"], "Tags script alert")
    assert "<script>" not in marked and "&lt;" in marked
    plain = marked.replace('<mark class="term">', "").replace('<mark class="sentence">', "")
    plain = plain.replace("</mark>", "")
    assert plain == str(highlight(text))


def test_a_sentence_not_in_the_text_marks_nothing() -> None:
    assert "sentence" not in highlight("Något helt annat.", [], "Finns inte här")
    assert sentence_span("text", "...") is None
