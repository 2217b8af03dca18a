"""democlass report: the file's data and safety, the command, and the page in a real browser."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import democlass
from democlass.cli import main
from democlass.report import browser

GOVERNANCE = (
    "Citizens will vote on whether the city may use face recognition.\n\n"
    "A citizens' jury drawn by lot will advise the regulator on the new AI rules.\n\n"
    "They met on six Saturdays."
)
DEVELOPMENT = (
    "The model weights are free to download and fine-tune.\n\n"
    "Open weights let any university study and audit the model."
)
HOSTILE = (
    "Half of the windfall will fund a dividend for every citizen.\n\n"
    "<script>document.body.dataset.pwned = 'script'</script> Profits above the cap go to a fund."
    "\n\n"
    '"><img src=x onerror="document.body.dataset.pwned = \'img\'"> The dividend is paid yearly.'
)
DOCUMENTS = {"governance.txt": GOVERNANCE, "development.txt": DEVELOPMENT, "hostile.txt": HOSTILE}


def data_of(page: Path) -> dict:
    """The JSON the report's script reads, parsed as the browser parses it."""
    html = page.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html)
    assert block is not None
    return json.loads(block.group(1))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("articles")
    for name, text in DOCUMENTS.items():
        (root / name).write_text(text + "\n", encoding="utf-8")
    return root


def _min_confidence() -> float:
    """Halfway between the hostile document's least and most confident units,
    so that some units abstain there and some do not, whatever the model."""
    rows = democlass.tag_documents(pd.Series(DOCUMENTS))
    confidence = rows.loc[rows["id"] == "hostile.txt", "confidence"]
    return float(confidence.min() + confidence.max()) / 2


MIN_CONFIDENCE = _min_confidence()


@pytest.fixture(scope="module")
def tagged() -> pd.DataFrame:
    rows = democlass.tag_documents(pd.Series(DOCUMENTS), min_confidence=MIN_CONFIDENCE)
    assert 0 < rows["abstained"].sum() < len(rows)
    return rows


@pytest.fixture(scope="module")
def page(tagged, tmp_path_factory) -> Path:
    return democlass.report(tagged, tmp_path_factory.mktemp("report") / "report.html")


# --- the file ----------------------------------------------------------------


def test_report_holds_every_document_and_unit_in_reading_order(page, tagged):
    data = data_of(page)
    assert [d["name"] for d in data["docs"]] == list(DOCUMENTS)
    units = data["units"]
    assert units["text"] == tagged["text"].tolist()
    assert [data["labels"][i] for i in units["label"]] == tagged["label"].tolist()
    np.testing.assert_allclose(units["conf"], tagged["confidence"], atol=5e-4)
    for doc, (_, rows) in zip(data["docs"], tagged.groupby("id", sort=False), strict=True):
        assert doc["n"] == len(rows)
        assert doc["counts"] == [int((rows["label"] == x).sum()) for x in democlass.LABELS]
    assert data["shares"]["counts"] == [int((tagged["label"] == x).sum()) for x in democlass.LABELS]


def test_documents_are_tagged_when_given_as_texts(tagged, tmp_path):
    page = democlass.report(
        list(DOCUMENTS.values()), tmp_path / "r.html", min_confidence=MIN_CONFIDENCE
    )
    units = data_of(page)["units"]
    assert units["text"] == tagged["text"].tolist()
    assert [democlass.LABELS[i] for i in units["label"]] == tagged["label"].tolist()
    assert units["abstained"] == tagged["abstained"].astype(int).tolist()


def test_hostile_text_cannot_leave_the_data_block(page):
    html = page.read_text(encoding="utf-8")
    # the two scripts of the page and nothing else: the paragraph's tags are escaped
    assert html.count("<script") == 2
    assert "<img" not in html and 'onerror="document' not in html
    assert "\\u003cscript\\u003e" in html
    texts = data_of(page)["units"]["text"]
    assert any(t.startswith("<script>document.body") for t in texts)
    assert any(t.startswith('"><img src=x onerror=') for t in texts)


def test_the_page_forbids_every_request_and_links_nothing_outside(page):
    html = page.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "unsafe" not in csp
    # the inline style and script are allowed by their hashes, nothing else runs
    for tag in ("style", "script"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S).group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"{tag}-src 'sha256-{digest}'" in csp
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "@import" not in html and "url(" not in html


def test_terms_are_explain_of_the_unit_read_alone(tmp_path):
    rows = democlass.tag_documents([GOVERNANCE, DEVELOPMENT], context=False)
    page = democlass.report(rows, tmp_path / "r.html", top=4)
    why = data_of(page)["units"]["why"]
    for text, (first, second, terms) in zip(rows["text"], why, strict=True):
        expected = democlass.explain(text, top=4)
        assert democlass.LABELS[first] == expected.attrs["label"]
        assert democlass.LABELS[second] == expected.attrs["runner_up"]
        assert [t for t, _ in terms] == expected["term"].tolist()
        np.testing.assert_allclose([w for _, w in terms], expected["weight"], atol=5e-4)


def test_a_large_corpus_keeps_the_first_whole_documents_and_says_so(tagged, tmp_path):
    n_first = int((tagged["id"] == "governance.txt").sum())
    with pytest.warns(UserWarning, match=r"first 1 of 3 documents"):
        page = democlass.report(tagged, tmp_path / "r.html", max_units=n_first + 1)
    data = data_of(page)
    assert [d["name"] for d in data["docs"]] == ["governance.txt"]
    assert len(data["units"]["text"]) == n_first
    assert f"({n_first:,} of {len(tagged):,} units)" in data["note"]


def test_shares_show_intervals_when_the_validation_module_gives_them(tagged, tmp_path, monkeypatch):
    seen = {}

    def shares(frame, by=None, validation=None):
        seen["documents"] = frame["source"].nunique()
        share = frame["label"].value_counts(normalize=True)
        return pd.DataFrame(
            {"share": share, "low": share / 2, "high": (share + 1) / 2}
        ).rename_axis("label")

    monkeypatch.setitem(sys.modules, "democlass.validate", types.SimpleNamespace(shares=shares))
    data = data_of(democlass.report(tagged, tmp_path / "r.html"))
    assert seen["documents"] == 3
    share = tagged["label"].value_counts(normalize=True)
    for label, (low, high) in zip(democlass.LABELS, data["shares"]["intervals"], strict=True):
        assert low == pytest.approx(share.get(label, 0) / 2 if label in share else 0, abs=1e-4)
        assert high == pytest.approx((share[label] + 1) / 2 if label in share else 0, abs=1e-4)


def test_without_the_validation_module_shares_are_counts(page):
    assert data_of(page)["shares"]["intervals"] is None


def test_democlass_report_is_the_function_even_after_importing_the_module(tmp_path):
    import democlass.report

    assert callable(democlass.report)
    path = democlass.report(["Open weights let anyone study the model."], tmp_path / "r.html")
    assert path == tmp_path / "r.html" and len(data_of(path)["docs"]) == 1


def test_a_failed_write_leaves_no_file(tagged, tmp_path, monkeypatch):
    import democlass.report as report_module

    def broken(data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "render", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        democlass.report(tagged, tmp_path / "r.html")
    assert list(tmp_path.iterdir()) == []


# --- the command ---------------------------------------------------------------


def test_command_tags_a_folder_and_writes_the_report(folder, tagged, tmp_path, capsys):
    out = tmp_path / "report.html"
    code = main(["report", str(folder), "-o", str(out), "--title", "Three <b>articles</b>"])
    err = capsys.readouterr().err
    assert code == 0
    assert f"wrote {out}: 3 documents, {len(tagged)} paragraphs, 0 failures" in err
    data = data_of(out)
    assert [Path(d["name"]).name for d in data["docs"]] == sorted(DOCUMENTS)
    assert "<title>Three &lt;b&gt;articles&lt;/b&gt;</title>" in out.read_text(encoding="utf-8")


def test_command_reads_a_saved_paragraph_output(folder, tmp_path, capsys):
    tags = tmp_path / "tags.csv"
    assert main(["tag", str(folder), "--text", "-o", str(tags), "-q"]) == 0
    direct, saved = tmp_path / "direct.html", tmp_path / "saved.html"
    assert main(["report", str(folder), "-o", str(direct), "-q"]) == 0
    assert main(["report", str(tags), "-o", str(saved), "-q"]) == 0
    a, b = data_of(direct), data_of(saved)
    assert [d["name"] for d in a["docs"]] == [d["name"] for d in b["docs"]]
    for key in ("text", "label", "tags", "abstained"):
        assert a["units"][key] == b["units"][key]


def test_command_usage_errors_exit_2_without_a_file(folder, tmp_path, capsys):
    bare = tmp_path / "bare.csv"
    assert main(["tag", str(folder), "-o", str(bare), "-q"]) == 0
    cases = [
        (["report", str(folder), "-o", str(tmp_path)], "is a folder"),
        (["report", str(folder), "-o", str(tmp_path / "no" / "r.html")], "does not exist"),
        (["report", str(bare), "-o", str(tmp_path / "r.html")], "--text"),
        (["report", str(bare), str(folder), "-o", str(tmp_path / "r.html")], "not both"),
    ]
    for args, message in cases:
        assert main(args) == 2
        assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bare.csv"]


def test_command_reports_the_readable_files_and_exits_1_on_failures(folder, tmp_path, capsys):
    bad = tmp_path / "in"
    bad.mkdir()
    (bad / "a.txt").write_text(DEVELOPMENT, encoding="utf-8")
    (bad / "b.txt").write_bytes(b"\x00\x01binary")
    out = tmp_path / "r.html"
    assert main(["report", str(bad), "-o", str(out), "--min-confidence", "0.99"]) == 1
    assert "skipped" in capsys.readouterr().err
    data = data_of(out)
    assert [Path(d["name"]).name for d in data["docs"]] == ["a.txt"]
    assert data["minConfidence"] == 0.99
    assert sum(data["units"]["abstained"]) == data["docs"][0]["abstained"]


# --- in a real browser -----------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    browser.chromium() is None and os.environ.get("CI") != "true",
    reason="chromium is not installed (apt-get install chromium); CI installs it and runs these",
)


def dominant_forms(tagged: pd.DataFrame) -> pd.Series:
    from democlass.summary import document_shares

    codes, _ = pd.factorize(tagged["id"])
    return document_shares(tagged["label"].to_numpy(), codes, codes.max() + 1)["dominant"]


def rows_shown(dom: str) -> list[int]:
    body = dom.split('id="docs-body"', 1)[1].split("</tbody>", 1)[0]
    return [int(d) - 1 for d in re.findall(r'<tr data-doc="(\d+)"', body)]


@needs_chromium
def test_browser_shows_the_corpus(page, tagged):
    dom = browser.dump_dom(page)
    assert re.search(r'id="n-documents">3<', dom)
    assert re.search(rf'id="n-units">{len(tagged)}<', dom)
    for label in democlass.LABELS:
        n = int((tagged["label"] == label).sum())
        assert re.search(rf'<tr data-label="{label}">.*?data-count="{n}"', dom)
    assert rows_shown(dom) == [0, 1, 2]


@needs_chromium
def test_browser_sorts_and_filters_from_the_address(page, tagged):
    shares = tagged.groupby("id", sort=False)["label"].apply(lambda s: (s == "profits").mean())
    expected = sorted(range(3), key=lambda d: (-shares.iloc[d], d))
    assert expected != [0, 1, 2]
    assert rows_shown(browser.dump_dom(page, "sort=profits&dir=desc")) == expected
    ascending = sorted(range(3), key=lambda d: (shares.iloc[d], d))  # ties keep input order
    assert rows_shown(browser.dump_dom(page, "sort=profits&dir=asc")) == ascending
    dominant = dominant_forms(tagged)
    for form in ("governance", "development"):
        dom = browser.dump_dom(page, f"form={form}")
        assert rows_shown(dom) == [d for d in range(3) if dominant.iloc[d] == form]


@needs_chromium
def test_browser_shows_each_unit_labelled_and_hostile_text_inert(page, tagged):
    dom = browser.dump_dom(page, "doc=3")
    rows = tagged[tagged["id"] == "hostile.txt"]
    units = re.findall(r'<li class="unit[^"]*"[^>]*data-label="(\w+)"', dom)
    assert units == rows["label"].tolist()
    chips = re.findall(r'<div class="meta">.*?<span class="swatch"></span>(\w+)</span>', dom)
    assert chips == rows["label"].tolist()  # the label is written, not only coloured
    assert "&lt;script&gt;document.body.dataset.pwned" in dom
    assert "&lt;img src=x onerror=" in dom
    assert "<img" not in dom and "data-pwned" not in dom
    flagged = dom.count('<span class="flag">abstained</span>')
    assert flagged == rows["abstained"].sum() > 0
    assert len(re.findall(r'<li class="unit abstained"', dom)) == flagged


TEST_SCRIPT = """
(function () {
  var out = { violations: 0 };
  document.addEventListener("securitypolicyviolation", function () { out.violations++; });
  function rows() {
    return Array.prototype.map.call(document.querySelectorAll("#docs-body tr"),
      function (r) { return +r.dataset.doc - 1; });
  }
  function key(target, k) {
    target.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
  }
  out.initial = rows();
  var sort = document.querySelector('button.sort[data-key="development"]');
  sort.click(); out.desc = rows();
  document.querySelector('button.sort[data-key="development"]').click(); out.asc = rows();
  var search = document.getElementById("search");
  search.value = "WINDFALL"; search.dispatchEvent(new Event("input")); out.search = rows();
  search.value = ""; search.dispatchEvent(new Event("input"));
  var filter = document.getElementById("form-filter");
  filter.value = "governance"; filter.dispatchEvent(new Event("change")); out.filter = rows();
  filter.value = ""; filter.dispatchEvent(new Event("change"));
  document.querySelector('#docs-body tr[data-doc="1"] a').click();
  setTimeout(function () {
    out.docVisible = !document.getElementById("document-view").hidden;
    var units = document.querySelectorAll("#units li.unit");
    out.units = units.length;
    units[1].click();
    out.whyTitle = document.querySelector("#why h2").textContent;
    out.terms = document.querySelectorAll("#why ul.terms li:not(.empty)").length;
    key(units[1], "j");
    out.afterJ = document.querySelector('#units li[aria-selected="true"]').dataset.k;
    key(document.activeElement, "n");
    setTimeout(function () {
      out.afterN = document.getElementById("position").textContent;
      key(document.body, "Escape");
      setTimeout(function () {
        out.backToCorpus = !document.getElementById("corpus-view").hidden;
        out.resources = performance.getEntriesByType("resource").length;
        var pre = document.createElement("pre");
        pre.id = "test-out";
        pre.textContent = JSON.stringify(out);
        document.body.appendChild(pre);
      }, 50);
    }, 50);
  }, 50);
})();
"""


@needs_chromium
def test_browser_clicks_keys_sorting_search_and_no_request(page, tagged, tmp_path):
    # the page as written plus a test script, allowed by its hash like the page's own
    html = page.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(TEST_SCRIPT.encode()).digest()).decode()
    html = html.replace("script-src ", f"script-src 'sha256-{digest}' ", 1)
    html = html.replace("</body>", f"<script>{TEST_SCRIPT}</script>\n</body>")
    probe = tmp_path / "probe.html"
    probe.write_text(html, encoding="utf-8")
    dom = browser.dump_dom(probe, budget_ms=3000)
    found = re.search(r'<pre id="test-out">(.*?)</pre>', dom, re.S)
    assert found, "the test script did not finish"
    out = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))

    share = tagged.groupby("id", sort=False)["label"].apply(lambda s: (s == "development").mean())
    assert out["desc"] != out["initial"]
    assert out["initial"] == [0, 1, 2]
    assert out["desc"] == sorted(range(3), key=lambda d: (-share.iloc[d], d))
    assert out["asc"] == sorted(range(3), key=lambda d: (share.iloc[d], d))
    assert out["search"] == [2]  # case-insensitive search in the documents' text
    dominant = dominant_forms(tagged)
    assert out["filter"] == [d for d in range(3) if dominant.iloc[d] == "governance"]
    first = tagged[tagged["id"] == "governance.txt"]
    assert out["docVisible"] and out["units"] == len(first)
    assert out["whyTitle"].startswith("\u00b62") and first["label"].iloc[1] in out["whyTitle"]
    assert out["terms"] > 0
    assert out["afterJ"] == "2"
    assert out["afterN"] == "document 2 of 3"
    assert out["backToCorpus"]
    assert out["resources"] == 0 and out["violations"] == 0
