"use strict";
// democlass report: every text from the data is put in the page as text
// (textContent, createTextNode), never parsed as HTML.
(function () {
  var D = JSON.parse(document.getElementById("report-data").textContent);
  var L = D.labels, U = D.units, DOCS = D.docs, NL = L.length;
  var PAGE = 500; // rows of the documents table drawn at once
  var state = { sort: "", dir: "desc", q: "", form: "", limit: PAGE };
  var current = { doc: -1, unit: -1 };
  var docText = null; // lower-cased text of each document, built on first search

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function pct(x) { return (100 * x).toFixed(x > 0 && x < 0.1 ? 1 : 0) + "%"; }
  function num(x) { return x.toLocaleString("en"); }

  function colour(node, label) {
    node.style.setProperty("--c", D.colors[label]);
    return node;
  }

  function chip(label, text) {
    var c = colour(el("span", "chip"), label);
    c.appendChild(el("span", "swatch"));
    c.appendChild(document.createTextNode(text === undefined ? L[label] : text));
    return c;
  }

  // Stacked bar of label counts, forms first, none last; each part titled.
  function profile(counts, total, cls) {
    var bar = el("div", "profile" + (cls ? " " + cls : ""));
    bar.setAttribute("role", "img");
    var parts = [];
    for (var j = 0; j < NL; j++) {
      if (!counts[j]) continue;
      var seg = colour(el("span", "seg"), j);
      seg.style.width = (100 * counts[j] / total) + "%";
      seg.title = L[j] + " " + pct(counts[j] / total) + " (" + counts[j] + ")";
      parts.push(L[j] + " " + pct(counts[j] / total));
      bar.appendChild(seg);
    }
    bar.setAttribute("aria-label", parts.join(", "));
    return bar;
  }

  // ---- state in the address (#doc=3&unit=2, #sort=governance&form=use) ----
  function readHash() {
    var h = new URLSearchParams(location.hash.replace(/^#/, ""));
    state.sort = h.get("sort") || "";
    state.dir = h.get("dir") === "asc" ? "asc" : "desc";
    state.q = h.get("q") || "";
    state.form = h.get("form") || "";
    var d = parseInt(h.get("doc") || "", 10);
    var u = parseInt(h.get("unit") || "", 10);
    return { doc: d >= 1 && d <= DOCS.length ? d - 1 : -1, unit: u >= 1 ? u - 1 : -1 };
  }

  function corpusHash() {
    var h = new URLSearchParams();
    if (state.sort) { h.set("sort", state.sort); h.set("dir", state.dir); }
    if (state.form) h.set("form", state.form);
    if (state.q) h.set("q", state.q);
    var s = h.toString();
    return s ? "#" + s : "#";
  }

  function setHash(hash) {
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  // ---- corpus view ----
  var COLUMNS = [{ key: "name", title: "Document" }, { key: "units", title: "Units", num: true }]
    .concat(L.map(function (l) { return { key: l, title: l, num: true, label: true }; }))
    .concat([{ key: "dominant", title: "Dominant" }, { key: "abstained", title: "Abstained", num: true },
      { key: "profile", title: "Profile" }]);

  function sortValue(d, key) {
    var doc = DOCS[d];
    if (key === "name") return doc.name.toLowerCase();
    if (key === "units") return doc.n;
    if (key === "dominant") return doc.dominant;
    if (key === "abstained") return doc.abstained;
    var j = L.indexOf(key);
    return doc.n ? doc.counts[j] / doc.n : 0;
  }

  function matches(d) {
    var doc = DOCS[d];
    if (state.form && L[doc.dominant] !== state.form) return false;
    if (!state.q) return true;
    var q = state.q.toLowerCase();
    if (doc.name.toLowerCase().indexOf(q) >= 0) return true;
    if (!docText) {
      docText = DOCS.map(function (x) {
        return U.text.slice(x.first, x.first + x.n).join("\n").toLowerCase();
      });
    }
    return docText[d].indexOf(q) >= 0;
  }

  function shownDocs() {
    var list = [];
    for (var d = 0; d < DOCS.length; d++) if (matches(d)) list.push(d);
    if (state.sort) {
      var key = state.sort, sign = state.dir === "asc" ? 1 : -1;
      list.sort(function (a, b) {
        var x = sortValue(a, key), y = sortValue(b, key);
        return x < y ? -sign : x > y ? sign : a - b;
      });
    }
    return list;
  }

  function drawHead() {
    var row = $("docs-head");
    row.textContent = "";
    COLUMNS.forEach(function (c) {
      var th = el("th", c.num ? "num" : "");
      th.scope = "col";
      if (c.key === "profile") { th.textContent = c.title; row.appendChild(th); return; }
      var b = el("button", "sort", "");
      b.type = "button";
      b.dataset.key = c.key;
      if (c.label) b.appendChild(chip(L.indexOf(c.key)));
      else b.appendChild(document.createTextNode(c.title));
      var active = state.sort === c.key;
      th.setAttribute("aria-sort", active ? (state.dir === "asc" ? "ascending" : "descending") : "none");
      b.appendChild(el("span", "arrow", active ? (state.dir === "asc" ? " \u25B2" : " \u25BC") : ""));
      b.title = "sort by " + (c.label ? "share of " : "") + c.title;
      b.addEventListener("click", function () {
        if (state.sort === c.key) state.dir = state.dir === "asc" ? "desc" : "asc";
        else { state.sort = c.key; state.dir = c.key === "name" ? "asc" : "desc"; }
        state.limit = PAGE;
        setHash(corpusHash());
        drawCorpusTable();
      });
      th.appendChild(b);
      row.appendChild(th);
    });
  }

  function docRow(d) {
    var doc = DOCS[d], tr = el("tr");
    tr.dataset.doc = String(d + 1);
    var name = el("td", "name"), a = el("a", "", doc.name);
    a.href = "#doc=" + (d + 1);
    name.appendChild(a);
    tr.appendChild(name);
    tr.appendChild(el("td", "num", num(doc.n)));
    for (var j = 0; j < NL; j++) {
      var td = el("td", "num share" + (doc.counts[j] ? "" : " zero"), doc.n ? pct(doc.counts[j] / doc.n) : "");
      td.dataset.label = L[j];
      tr.appendChild(td);
    }
    var dom = el("td", "dominant");
    dom.appendChild(chip(doc.dominant));
    tr.appendChild(dom);
    tr.appendChild(el("td", "num" + (doc.abstained ? "" : " zero"), num(doc.abstained)));
    var prof = el("td", "profile-cell");
    prof.appendChild(profile(doc.counts, doc.n));
    tr.appendChild(prof);
    return tr;
  }

  function drawCorpusTable() {
    drawHead();
    var list = shownDocs(), body = $("docs-body");
    body.textContent = "";
    var frag = document.createDocumentFragment();
    var n = Math.min(list.length, state.limit);
    for (var i = 0; i < n; i++) frag.appendChild(docRow(list[i]));
    body.appendChild(frag);
    var units = 0;
    for (var k = 0; k < list.length; k++) units += DOCS[list[k]].n;
    $("shown").textContent = num(list.length) + " of " + num(DOCS.length) + " documents shown (" +
      num(units) + " units)";
    $("shown").dataset.documents = String(list.length);
    $("more-wrap").hidden = list.length <= n;
    $("more").textContent = "Show all " + num(list.length) + " documents";
  }

  function drawCorpusSummary() {
    var total = U.label.length;
    $("totals").textContent = "";
    [[DOCS.length, "documents"], [total, "units"]].forEach(function (p, i) {
      var b = el("b", "", num(p[0]));
      b.id = i ? "n-units" : "n-documents";
      $("totals").appendChild(b);
      $("totals").appendChild(document.createTextNode(" " + p[1] + (i ? "" : " \u00B7 ")));
    });
    var how = D.context === true ? "tagged in the context of their documents"
      : D.context === false ? "each tagged alone" : "labels as read from tagged rows";
    $("totals").appendChild(document.createTextNode(" \u00B7 " + how +
      (D.minConfidence !== null ? " \u00B7 abstain below " + D.minConfidence : "")));

    var box = $("shares");
    var sh = D.shares, iv = sh.intervals;
    box.appendChild(profile(sh.counts, Math.max(total, 1), "big"));
    var tbl = el("table", "share-table"), head = el("tr");
    ["Label", "Units", "Share"].concat(iv ? ["95% interval"] : []).forEach(function (t, i) {
      head.appendChild(el("th", i ? "num" : "", t));
    });
    var thead = el("thead");
    thead.appendChild(head);
    tbl.appendChild(thead);
    var tb = el("tbody");
    for (var j = 0; j < NL; j++) {
      var tr = el("tr");
      tr.dataset.label = L[j];
      var c = el("td");
      c.appendChild(chip(j));
      c.title = D.descriptions[j];
      tr.appendChild(c);
      var cnt = el("td", "num", num(sh.counts[j]));
      cnt.dataset.count = String(sh.counts[j]);
      tr.appendChild(cnt);
      tr.appendChild(el("td", "num", total ? pct(sh.counts[j] / total) : ""));
      if (iv) tr.appendChild(el("td", "num", pct(iv[j][0]) + " \u2013 " + pct(iv[j][1])));
      tb.appendChild(tr);
    }
    tbl.appendChild(tb);
    box.appendChild(tbl);
    box.appendChild(el("p", "caption", iv
      ? "Share of units in each label, with 95% bootstrap intervals over documents (democlass.shares)."
      : "Share of units in each label (counts; intervals over documents come with democlass.shares)."));

    var sel = $("form-filter");
    sel.appendChild(new Option("any", ""));
    L.forEach(function (l) { sel.appendChild(new Option(l, l)); });
  }

  // ---- document view ----
  function docLink(a, d) {
    a.hidden = d < 0 || d >= DOCS.length;
    a.href = "#doc=" + (d + 1);
    a.setAttribute("aria-disabled", a.hidden ? "true" : "false");
  }

  function unitFlags(i) {
    var flags = [];
    if (U.abstained[i]) flags.push("abstained");
    else if (U.conf[i] < D.lowConfidence) flags.push("low confidence");
    return flags;
  }

  function drawDocument(d) {
    var doc = DOCS[d];
    current.doc = d;
    current.unit = -1;
    $("doc-title").textContent = doc.name;
    document.title = doc.name + " \u2013 " + D.title;
    $("position").textContent = "document " + num(d + 1) + " of " + num(DOCS.length);
    docLink($("prev"), d - 1);
    docLink($("next"), d + 1);
    $("back").href = corpusHash();

    var sum = $("doc-summary");
    sum.textContent = "";
    var line = el("p", "doc-facts");
    line.appendChild(document.createTextNode(num(doc.n) + " units \u00B7 dominant form "));
    line.appendChild(chip(doc.dominant));
    line.appendChild(document.createTextNode(" \u00B7 " + num(doc.abstained) + " abstained \u00B7 " +
      num(doc.low) + " below confidence " + D.lowConfidence));
    sum.appendChild(line);
    sum.appendChild(profile(doc.counts, Math.max(doc.n, 1), "big"));

    var list = $("units");
    list.textContent = "";
    var frag = document.createDocumentFragment();
    for (var k = 0; k < doc.n; k++) {
      var i = doc.first + k, label = U.label[i];
      var li = colour(el("li", "unit"), label);
      li.dataset.label = L[label];
      li.dataset.k = String(k);
      li.tabIndex = 0;
      li.setAttribute("aria-selected", "false");
      var flags = unitFlags(i);
      if (flags.length) li.classList.add(U.abstained[i] ? "abstained" : "low");
      var meta = el("div", "meta");
      meta.appendChild(el("span", "para", "\u00B6" + (k + 1)));
      meta.appendChild(chip(label));
      meta.appendChild(el("span", "conf", U.conf[i].toFixed(2)));
      var also = U.tags[i].filter(function (t) { return t !== label; });
      if (also.length) {
        var a = el("span", "also", "also ");
        also.forEach(function (t) { a.appendChild(chip(t)); });
        meta.appendChild(a);
      }
      flags.forEach(function (f) { meta.appendChild(el("span", "flag", f)); });
      li.appendChild(meta);
      li.appendChild(el("p", "text", U.text[i]));
      frag.appendChild(li);
    }
    list.appendChild(frag);
    drawWhy(-1);
  }

  function termList(terms, positive, label) {
    var ul = el("ul", "terms");
    var max = 0;
    terms.forEach(function (t) { max = Math.max(max, Math.abs(t[1])); });
    var shown = terms.filter(function (t) { return (t[1] > 0) === positive; });
    shown.sort(function (a, b) { return Math.abs(b[1]) - Math.abs(a[1]); }); // strongest first
    shown.forEach(function (t) {
      var li = el("li");
      var bar = colour(el("span", "wbar"), label);
      bar.style.width = (max ? 100 * Math.abs(t[1]) / max : 0) + "%";
      li.appendChild(el("span", "term", t[0]));
      var track = el("span", "track");
      track.appendChild(bar);
      li.appendChild(track);
      li.appendChild(el("span", "weight", (t[1] > 0 ? "+" : "\u2212") + Math.abs(t[1]).toFixed(3)));
      ul.appendChild(li);
    });
    if (!ul.children.length) ul.appendChild(el("li", "empty", "(no term of its own)"));
    return ul;
  }

  function drawWhy(k) {
    var box = $("why");
    box.textContent = "";
    if (k < 0) {
      box.appendChild(el("p", "hint", "Click a unit, or move with j and k, to see the terms behind its label."));
      return;
    }
    var i = DOCS[current.doc].first + k, label = U.label[i];
    var why = U.why[i], first = why[0], second = why[1];
    var h = el("h2", "", "\u00B6" + (k + 1) + " ");
    h.appendChild(chip(label));
    h.appendChild(el("span", "conf", " " + U.conf[i].toFixed(2)));
    box.appendChild(h);
    if (U.abstained[i]) {
      box.appendChild(el("p", "flagline", "Abstained: its most probable label, " + L[first] + " (" +
        U.p[i][first].toFixed(2) + "), is below the minimum confidence " + D.minConfidence + "."));
    } else if (U.conf[i] < D.lowConfidence) {
      box.appendChild(el("p", "flagline", "Low confidence: below " + D.lowConfidence + "."));
    }
    var probs = el("ul", "probs");
    for (var j = 0; j < NL; j++) {
      var li = el("li");
      li.appendChild(chip(j));
      var track = el("span", "track"), bar = colour(el("span", "wbar"), j);
      bar.style.width = (100 * U.p[i][j]) + "%";
      track.appendChild(bar);
      li.appendChild(track);
      li.appendChild(el("span", "weight", U.p[i][j].toFixed(2)));
      probs.appendChild(li);
    }
    box.appendChild(el("h3", "", "Probabilities"));
    box.appendChild(probs);
    var t1 = el("h3", "", "Terms for ");
    t1.appendChild(chip(first));
    box.appendChild(t1);
    box.appendChild(termList(why[2], true, first));
    var t2 = el("h3", "", "Terms for the runner-up, ");
    t2.appendChild(chip(second));
    box.appendChild(t2);
    box.appendChild(termList(why[2], false, second));
    box.appendChild(el("p", "caption", "Terms of this unit read alone (tf-idf \u00D7 weight difference" +
      " between the two labels)" + (D.context === false ? "." : "; its document's share of the" +
      " score is not itemised.")));
  }

  function selectUnit(k, focus, block) {
    var items = $("units").children;
    if (k < 0 || k >= items.length) return;
    if (current.unit >= 0 && items[current.unit]) items[current.unit].setAttribute("aria-selected", "false");
    current.unit = k;
    items[k].setAttribute("aria-selected", "true");
    if (focus) {
      items[k].focus({ preventScroll: true });
      var r = items[k].getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) items[k].scrollIntoView({ block: block || "nearest" });
    }
    drawWhy(k);
    setHash("#doc=" + (current.doc + 1) + "&unit=" + (k + 1));
  }

  // ---- routing and keys ----
  function show() {
    var where = readHash();
    var docView = where.doc >= 0;
    $("corpus-view").hidden = docView;
    $("document-view").hidden = !docView;
    if (docView) {
      if (where.doc !== current.doc) { drawDocument(where.doc); window.scrollTo(0, 0); }
      if (where.unit >= 0) selectUnit(where.unit, true, "center");
    } else {
      current.doc = -1;
      document.title = D.title;
      $("search").value = state.q;
      $("form-filter").value = state.form;
      drawCorpusTable();
    }
  }

  function onKey(ev) {
    var t = ev.target.tagName;
    if (ev.altKey || ev.ctrlKey || ev.metaKey || t === "INPUT" || t === "SELECT" || t === "TEXTAREA") return;
    var key = ev.key;
    if (current.doc < 0) {
      if (key === "/") { ev.preventDefault(); $("search").focus(); }
      return;
    }
    var n = DOCS[current.doc].n;
    if (key === "j" || key === "ArrowDown") { selectUnit(Math.min(current.unit + 1, n - 1), true); }
    else if (key === "k" || key === "ArrowUp") { selectUnit(Math.max(current.unit - 1, 0), true); }
    else if ((key === "n" || key === "ArrowRight") && current.doc + 1 < DOCS.length) { location.hash = "#doc=" + (current.doc + 2); }
    else if ((key === "p" || key === "ArrowLeft") && current.doc > 0) { location.hash = "#doc=" + current.doc; }
    else if (key === "Escape") { location.hash = corpusHash(); }
    else if ((key === "Enter" || key === " ") && ev.target.classList.contains("unit")) {
      selectUnit(parseInt(ev.target.dataset.k, 10), false);
    } else return;
    ev.preventDefault();
  }

  function init() {
    if (D.note) { $("note").hidden = false; $("note").textContent = D.note; }
    $("top-sub").textContent = num(DOCS.length) + " documents, " + num(U.label.length) + " units";
    $("foot").textContent = "Written by democlass " + D.version + ". The terms, labels and shares " +
      "are a model's reading: check them against your own.";
    drawCorpusSummary();
    $("search").addEventListener("input", function () {
      state.q = this.value; state.limit = PAGE; setHash(corpusHash()); drawCorpusTable();
    });
    $("form-filter").addEventListener("change", function () {
      state.form = this.value; state.limit = PAGE; setHash(corpusHash()); drawCorpusTable();
    });
    $("more").addEventListener("click", function () { state.limit = Infinity; drawCorpusTable(); });
    $("units").addEventListener("click", function (ev) {
      var li = ev.target.closest ? ev.target.closest("li.unit") : null;
      if (li) selectUnit(parseInt(li.dataset.k, 10), false);
    });
    document.addEventListener("keydown", onKey);
    window.addEventListener("hashchange", show);
    show();
    document.documentElement.dataset.ready = performance.now().toFixed(0);
  }

  init();
})();
